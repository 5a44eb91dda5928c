namespace Downshift.Engine;

/// <summary>How the engine runs: who operates, and where it keeps its state on each host.</summary>
public sealed record EngineOptions
{
    public required string Operator { get; init; }

    /// <summary>On each host: the lease file and the run's saved originals live here.</summary>
    public string StateDirectory { get; init; } = EngineDefaults.StateDirectory;

    /// <summary>This controller's name, written into leases so a stale one can be told from a live one.</summary>
    public string Controller { get; init; } = Environment.MachineName;

    public int ProcessId { get; init; } = Environment.ProcessId;

    /// <summary>Where backup steps store their backups (on this controller); null: a plan with a backup step fails at it.</summary>
    public Backups.BackupStore? Backups { get; init; }
}

public static class EngineDefaults
{
    public const string StateDirectory = "/var/lib/downshift";
    public const string StateDirectoryVariable = "DOWNSHIFT_STATE_DIR";
}

/// <summary>
/// The two ways an operator stops a run: <see cref="Cancel"/> (first Ctrl+C) stops the current step
/// and rolls back; <see cref="Abort"/> (second Ctrl+C) stops the rollback too.
/// </summary>
public sealed record RunControl(CancellationToken Cancel, CancellationToken Abort)
{
    public static readonly RunControl None = new(CancellationToken.None, CancellationToken.None);
}
