using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Cli;

/// <summary>Ctrl+C on the real CLI: the current step stops, completed steps are undone, exit 130.</summary>
public sealed class CancelTests
{
    [Fact]
    public async Task Run_SigintDuringAStep_RollsBackAndExits130()
    {
        // Given a plan whose first step leaves a marker (undo removes it) and whose second step hangs
        using var work = new TempDirectory();
        var marker = work.Combine("marker");
        var plan = work.Combine("plan.yaml");
        await File.WriteAllTextAsync(
            plan,
            $$"""
            downshift: 1
            name: cancel-test
            reason: {kind: other, detail: "Ctrl+C test"}
            scope: {kind: system}
            from: "1"
            to: "0"
            phases:
              - name: change
                steps:
                  - {id: mark, kind: shell, command: "touch {{marker}}", undo: "rm -f {{marker}}"}
                  - {id: hang, kind: shell, command: "echo hanging; sleep 60", undo: "true"}
            """,
            TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?>
        {
            ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
            ["DOWNSHIFT_STATE_DIR"] = work.Combine("state"),
        };
        await using var cli = await CliRunner.StartAsync(["run", plan], environment, timeout: TimeSpan.FromSeconds(90));
        await cli.WaitForOutputAsync("change/hang", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(File.Exists(marker));

        // When the operator presses Ctrl+C
        await cli.KillAsync(Signal.Int, TestContext.Current.CancellationToken);
        var result = await cli.WaitForExitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // Then the hanging step stopped at once, the first step was undone, and the exit code is 130
        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.False(File.Exists(marker));
        Assert.Contains("CANCELLED", result.Stdout, StringComparison.Ordinal);
    }
}
