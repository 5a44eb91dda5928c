using Downshift.Cli;

namespace Downshift.Tests.Cli;

public sealed class ExitCodesTests
{
    public static TheoryData<string, int> Errors => new()
    {
        { "unreachable", ExitCodes.HostUnreachable },
        { "connection-lost", ExitCodes.HostUnreachable },
        { "host-key", ExitCodes.HostUnreachable },
        { "login", ExitCodes.HostUnreachable },
        { "timeout", ExitCodes.HostUnreachable },
        { "sudo", ExitCodes.HostUnreachable },
        { "journal", ExitCodes.JournalUnusable },
        { "lease", ExitCodes.Refused },
        { "unknown-run", ExitCodes.InvalidInput },
        { "invalid-state", ExitCodes.InvalidInput },
        { "internal", ExitCodes.Failed },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void For_EachKindOfError_ItsOwnCodeNotABlanketInvalidInput(string error, int expected)
    {
        // Given an error as the library raises it
        var exception = error switch
        {
            "unreachable" => DownshiftException.HostUnreachable("h1", "no route"),
            "connection-lost" => DownshiftException.ConnectionLost("h1", "true"),
            "host-key" => DownshiftException.HostKeyRejected("h1", "the key changed"),
            "login" => DownshiftException.SshAuthenticationFailed("h1", "denied"),
            "timeout" => DownshiftException.CommandTimedOut("h1", "sleep 9", TimeSpan.FromSeconds(1)),
            "sudo" => DownshiftException.BecomeFailed("h1", "deploy", "a password is required"),
            "journal" => DownshiftException.JournalCorrupt("/j.db", "not a database"),
            "lease" => DownshiftException.LeaseHeld("h1", "run-x"),
            "unknown-run" => DownshiftException.RunNotFound("run-x"),
            "invalid-state" => DownshiftException.InvalidState("the stored plan no longer validates"),
            _ => DownshiftException.Internal("a bug"),
        };

        // When / Then
        Assert.Equal(expected, ExitCodes.For(exception));
    }

    [Fact]
    public void HelpText_EveryCode_IsExplained()
    {
        int[] codes = [ExitCodes.Success, ExitCodes.Failed, ExitCodes.InvalidInput, ExitCodes.RolledBack, ExitCodes.NeedsAttention,
            ExitCodes.Refused, ExitCodes.Partial, ExitCodes.HostUnreachable, ExitCodes.JournalUnusable, ExitCodes.Cancelled];
        Assert.All(codes, code => Assert.Contains($"{code} ", ExitCodes.HelpText, StringComparison.Ordinal));
    }
}
