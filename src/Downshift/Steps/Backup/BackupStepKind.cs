using Downshift.Steps.Internal;

namespace Downshift.Steps.Backup;

/// <summary>
/// <c>backup</c> (P5, P6, P7, C2): a full backup of the host's files and database before anything
/// changes (staging, while the service still serves), restored to scratch and compared before the run
/// may go on; then, where the step stands (after the stop, or after its own <c>pause-writes</c>), an
/// incremental of what changed since, verified the same way. The migrate step's
/// <c>undo-with: restore-backup</c> restores the database from this chain.
/// </summary>
public sealed class BackupStepKind : IStepKind
{
    public const string KindName = "backup";

    public string Name => KindName;

    public string Summary => "Back up files and a database before the change (full at staging, incremental after writes stop), each verified by a restore to scratch.";

    public UndoSupport Undo => UndoSupport.Derived;

    /// <summary>Dumps, restores to scratch and migrations of real databases take longer than the 5 minutes of other steps.</summary>
    public TimeSpan DefaultTimeout => TimeSpan.FromHours(1);

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("files", OptionType.StringList, "Absolute paths on the host (files or directories) to back up."),
        new("database", OptionType.StringMap, "A database to back up: engine (postgresql|sqlite), name, host, port, user, password-env, run-as; or path for sqlite."),
        new("pause-writes", OptionType.String, "A command that stops writes before the incremental (maintenance mode, default_transaction_read_only); omit when an earlier step stopped the service."),
        new("resume-writes", OptionType.String, "Undoes pause-writes (required with it); also the step's undo."),
        new("restore-files-on-undo", OptionType.Boolean, "Undo puts the backed-up files back on the host as they were at the incremental (default false)."),
        new("keep", OptionType.Integer, "Keep this many full backups (with their incrementals) of this host and step in the store; 0 keeps all (default)."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var files = reader.Has("files") ? reader.StringList("files") : [];
        var database = reader.Has("database") ? DatabaseTargetReader.Read(reader, "database") : null;
        var pause = reader.String("pause-writes");
        var resume = reader.String("resume-writes");
        var restore = reader.Has("restore-files-on-undo") ? reader.Boolean("restore-files-on-undo") : false;
        var keep = reader.Has("keep") ? reader.Integer("keep", min: 0, max: 1000) : 0;

        var ok = files is not null && restore is not null && keep is not null && (!reader.Has("database") || database is not null);
        ok &= (files is { Count: > 0 } || reader.Has("database")) ||
              OptionChecks.Fail(reader, "files", "a backup step needs 'files', 'database' or both");
        foreach (var path in files ?? [])
        {
            ok &= OptionChecks.AbsolutePath(reader, "files", path);
        }

        ok &= (pause is null) == (resume is null) ||
              OptionChecks.Fail(reader, pause is null ? "resume-writes" : "pause-writes", "'pause-writes' and 'resume-writes' go together");
        ok &= restore is not true || files is { Count: > 0 } ||
              OptionChecks.Fail(reader, "restore-files-on-undo", "'restore-files-on-undo' needs 'files'");

        return ok
            ? new BackupOptions
            {
                Files = files!,
                Database = database,
                PauseWrites = pause,
                ResumeWrites = resume,
                RestoreFilesOnUndo = restore!.Value,
                Keep = keep!.Value,
            }
            : null;
    }

    public IStepExecutor CreateExecutor(StepOptions options) =>
        new Internal.BackupExecutor(options as BackupOptions
            ?? throw DownshiftException.Internal($"backup step got {options.GetType().Name}"));
}
