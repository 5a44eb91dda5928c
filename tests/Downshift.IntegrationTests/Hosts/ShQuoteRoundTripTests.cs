using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Hosts;

/// <summary>What <see cref="Sh.Quote"/> produces, bash reads back as the very same string.</summary>
public sealed class ShQuoteRoundTripTests
{
    public static TheoryData<string> Values =>
    [
        "plain",
        "two words",
        "it's",
        "'",
        "''",
        "",
        "$HOME `id` $(id)",
        "a\"b\\c",
        "*?[a]",
        "line one\nline two",
        "tab\there",
        "ünïcødé ✓",
        "-n",
        "a;b|c&d>e<f",
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Quote_ValueGivenToBash_PrintsBackUnchanged(string value)
    {
        // Given a value quoted for the shell
        var script = "printf %s " + Sh.Quote(value);

        // When bash runs it
        var result = await CliRunner.RunProcessAsync("bash", ["-c", script], timeout: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        // Then the output is the value itself
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(value, result.Stdout);
    }
}
