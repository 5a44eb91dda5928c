namespace Downshift.Journal.Internal;

/// <summary>
/// The journal's tables, versioned with <c>PRAGMA user_version</c>. A new version adds a migration
/// step; a file written by a newer Downshift is refused rather than guessed at.
/// </summary>
internal static class JournalSchema
{
    public const int CurrentVersion = 3;

    public const string AppendOnlyMessage = "journal is append-only";

    public const string Version1 = $"""
        CREATE TABLE runs (
            run_id      TEXT PRIMARY KEY NOT NULL,
            plan_name   TEXT NOT NULL,
            plan_path   TEXT NOT NULL,
            plan_hash   TEXT NOT NULL,
            plan_text   TEXT NOT NULL,
            variables   TEXT NOT NULL,
            operator    TEXT NOT NULL,
            started_at  TEXT NOT NULL,
            stored_at   TEXT NOT NULL
        ) STRICT;

        CREATE TABLE records (
            sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id      TEXT NOT NULL REFERENCES runs(run_id),
            time        TEXT NOT NULL,
            operator    TEXT NOT NULL,
            event       TEXT NOT NULL,
            host        TEXT,
            phase       TEXT,
            step_index  INTEGER,
            step_id     TEXT,
            command     TEXT,
            exit_code   INTEGER,
            output      TEXT,
            duration_ms REAL,
            result      TEXT,
            data        TEXT,
            stored_at   TEXT NOT NULL
        ) STRICT;

        CREATE INDEX records_by_run ON records(run_id, sequence);

        CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        CREATE TRIGGER runs_no_update BEFORE UPDATE ON runs
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;

        PRAGMA user_version = 1;
        """;

    /// <summary>
    /// Version 2 adds the event <c>MetricSamples</c> (monitoring, issue 5). Events are stored by name, so
    /// no table changes; the version is there so that a Downshift that does not know the event refuses
    /// the file as "written by a newer Downshift" instead of failing on a record it cannot read.
    /// </summary>
    public const string Version2 = "PRAGMA user_version = 2;";

    /// <summary>
    /// Version 3 adds the table <c>rehearsals</c> (issue 5 §5): one row per <c>downshift rehearse</c>, bound
    /// to the plan's content hash and to the run it made; append-only like the rest.
    /// </summary>
    public static readonly string Version3 = $"""
        CREATE TABLE rehearsals (
            sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
            plan_hash   TEXT NOT NULL,
            plan_name   TEXT NOT NULL,
            run_id      TEXT NOT NULL REFERENCES runs(run_id),
            passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
            operator    TEXT NOT NULL,
            time        TEXT NOT NULL,
            data        TEXT NOT NULL,
            stored_at   TEXT NOT NULL
        ) STRICT;

        CREATE INDEX rehearsals_by_plan ON rehearsals(plan_hash, sequence);

        {AppendOnly("rehearsals")}

        PRAGMA user_version = 3;
        """;

    /// <summary>Triggers that refuse any UPDATE or DELETE on <paramref name="table"/>.</summary>
    private static string AppendOnly(string table) => $"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        """;

    /// <summary>Migrations by the version they produce; index 0 creates version 1.</summary>
    public static readonly IReadOnlyList<string> Migrations = [Version1, Version2, Version3];
}
