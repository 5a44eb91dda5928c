using Downshift.Databases;

namespace Downshift.Steps.Migrate;

/// <summary>
/// The <c>migrate</c> step (E5): brings a database's schema to <see cref="To"/> with Flyway-named
/// scripts — down through the <c>U</c> (undo) scripts, newest first, or up through the <c>V</c>
/// scripts — each in its own transaction together with its schema-history row.
/// </summary>
public sealed record MigrateOptions : StepOptions
{
    public required DatabaseTarget Database { get; init; }

    /// <summary>The scripts' directory on the controller (relative paths resolve against the plan's directory).</summary>
    public required string Scripts { get; init; }

    /// <summary>The schema version to end at (<c>2.1</c>; <c>2_1</c> is the same).</summary>
    public required string To { get; init; }

    public string HistoryTable { get; init; } = MigrateDefaults.HistoryTable;

    public IReadOnlyList<DataCheck> Checks { get; init; } = [];

    public MigrateUndo UndoWith { get; init; } = MigrateUndo.Reapply;

    /// <summary>With <see cref="MigrateUndo.RestoreBackup"/>: the id of the <c>backup</c> step whose verified chain is restored.</summary>
    public string? BackupStep { get; init; }

    /// <summary>Run scripts that destroy data (DROP TABLE, DROP COLUMN, DELETE, TRUNCATE) with an undo that cannot bring the data back.</summary>
    public bool AcceptDataLoss { get; init; }
}

/// <summary>How a migrate step is undone.</summary>
public enum MigrateUndo
{
    /// <summary>Re-apply the <c>V</c> scripts from the target back up to the version the step started at.</summary>
    Reapply,

    /// <summary>Restore the database from a backup step's verified chain (the data the down-migration destroyed comes back).</summary>
    RestoreBackup,
}

/// <summary>
/// A data invariant checked before and after the migration: <see cref="Sql"/> returns one value (the
/// first column of the first row). <see cref="Expect"/> is <c>same</c> (equal before and after), or a
/// literal value that must hold before and after (<c>0</c> for "no order without items").
/// </summary>
public sealed record DataCheck(string Name, string Sql, string Expect)
{
    public const string Same = "same";
}

public static class MigrateDefaults
{
    public const string HistoryTable = "flyway_schema_history";
}
