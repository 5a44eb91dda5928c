using Downshift.Journal.Internal;

namespace Downshift.Tests.Journal;

public sealed class OutputExcerptTests
{
    [Fact]
    public void Cut_ShortOutput_Unchanged()
    {
        // Given / When / Then
        Assert.Equal("ok", OutputExcerpt.Cut("ok"));
        Assert.Null(OutputExcerpt.Cut(null));
    }

    [Fact]
    public void Cut_LongOutput_KeepsHeadAndTailWithMarker()
    {
        // Given 10 000 bytes of output
        var output = "HEAD" + new string('x', 9992) + "TAIL";

        // When
        var excerpt = OutputExcerpt.Cut(output)!;

        // Then
        Assert.StartsWith("HEAD", excerpt, StringComparison.Ordinal);
        Assert.EndsWith("TAIL", excerpt, StringComparison.Ordinal);
        Assert.Contains($"… {10000 - OutputExcerpt.MaxBytes} bytes elided …", excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void Cut_MultiByteCharacters_NeverSplitsOne()
    {
        // Given output made of 3-byte characters
        var output = new string('€', 5000);

        // When
        var excerpt = OutputExcerpt.Cut(output)!;

        // Then no replacement character appears where a character was cut
        Assert.DoesNotContain('\uFFFD', excerpt);
        Assert.Contains("bytes elided", excerpt, StringComparison.Ordinal);
    }
}
