namespace Downshift.IntegrationTests.TestSupport;

/// <summary>What a finished child process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Duration)
{
    /// <summary>Everything the process wrote, for assertion messages.</summary>
    public override string ToString() =>
        $"exit code {ExitCode} after {Duration.TotalSeconds:0.0} s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
