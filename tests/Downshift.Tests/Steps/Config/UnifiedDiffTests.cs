using Downshift.Steps.Config.Internal;

namespace Downshift.Tests.Steps.Config;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Create_OneChangedLine_ShowsHeaderHunkAndContext()
    {
        // Given a file with one changed line
        var before = "a\nb\nport = 80\nc\nd\ne\n"u8.ToArray();
        var after = "a\nb\nport = 8080\nc\nd\ne\n"u8.ToArray();

        // When diffed
        var diff = UnifiedDiff.Create("/etc/shopd.conf", before, after);

        // Then it is a unified diff with two lines of context
        Assert.Equal(
            "--- /etc/shopd.conf\n+++ /etc/shopd.conf\n@@ -1,5 +1,5 @@\n a\n b\n-port = 80\n+port = 8080\n c\n d",
            diff);
    }

    [Fact]
    public void Create_DistantChanges_MakeTwoHunks()
    {
        // Given changes at both ends of a long file
        var lines = Enumerable.Range(0, 20).Select(i => $"l{i}").ToArray();
        var changed = lines.ToArray();
        changed[0] = "first";
        changed[19] = "last";

        // When diffed
        var diff = UnifiedDiff.Create("f", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)), System.Text.Encoding.UTF8.GetBytes(string.Join('\n', changed)));

        // Then there are two hunks
        Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
        Assert.Contains("-l0\n+first", diff, StringComparison.Ordinal);
        Assert.Contains("-l19\n+last", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoChange_SaysSo()
    {
        // Given equal contents, when diffed, then it says no change
        Assert.EndsWith("(no change)", UnifiedDiff.Create("f", "a\n"u8.ToArray(), "a\n"u8.ToArray()), StringComparison.Ordinal);
    }
}
