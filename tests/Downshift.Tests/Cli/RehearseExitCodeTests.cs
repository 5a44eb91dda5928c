using Downshift.Cli;
using Downshift.Cli.Commands;
using Downshift.Engine;
using Downshift.Fingerprints;
using Downshift.Journal;
using Downshift.Rehearsals;

namespace Downshift.Tests.Cli;

public sealed class RehearseExitCodeTests
{
    private static readonly FingerprintComparison Same = new("h1", "h1", [], []);

    private static readonly FingerprintComparison Drifted = new(
        "h1", "h1", [new FingerprintDifference("packages", "shopd", "2.3.0", "2.1.0", null)], []);

    [Fact]
    public void CodeOf_SucceededRolledBackNoDifference_PassedExit0()
    {
        var result = Result(RunStatus.Succeeded, RunStatus.RolledBack, Same);

        Assert.True(result.Passed);
        Assert.Equal(ExitCodes.Success, RehearseCommand.CodeOf(result, ExitCodes.RolledBack));
    }

    [Fact]
    public void CodeOf_UnexpectedDifference_FailedExit1()
    {
        var result = Result(RunStatus.Succeeded, RunStatus.RolledBack, Drifted);

        Assert.False(result.Passed);
        Assert.Equal("some host is not back where it started", result.Why);
        Assert.Equal(ExitCodes.Failed, RehearseCommand.CodeOf(result, ExitCodes.RolledBack));
    }

    [Fact]
    public void CodeOf_RunRolledBackByItselfHostRestored_FailedExit1SayingWhy()
    {
        // Given a run that failed and rolled back by itself (no rollback of ours), the host back where it was
        var result = Result(RunStatus.RolledBack, rollback: null, Same);

        // Then the rehearsal failed: the plan does not do what it says
        Assert.False(result.Passed);
        Assert.Contains("the run ended rolled-back", result.Why, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, RehearseCommand.CodeOf(result, ExitCodes.RolledBack));
    }

    [Fact]
    public void CodeOf_RollbackNeedsAttention_TheRunsOwnCode()
    {
        var result = Result(RunStatus.Succeeded, RunStatus.NeedsAttention, Same);

        Assert.Equal(ExitCodes.NeedsAttention, RehearseCommand.CodeOf(result, ExitCodes.NeedsAttention));
    }

    [Fact]
    public void CodeOf_RunRefused_NothingComparedExit5()
    {
        var result = new RehearsalResult("hash", new RunResult("run-1", RunStatus.Failed, "held") { Refusal = "held" });

        Assert.False(result.Passed);
        Assert.Equal(ExitCodes.Refused, RehearseCommand.CodeOf(result, ExitCodes.Refused));
    }

    private static RehearsalResult Result(RunStatus run, RunStatus? rollback, FingerprintComparison comparison) =>
        new("hash", new RunResult("run-1", run, "run"))
        {
            Rollback = rollback is { } r ? new RunResult("run-1", r, "rollback") : null,
            Hosts = [new HostRehearsal("h1", comparison, null)],
            Compared = true,
        };
}
