using System.Text.RegularExpressions;
using Downshift.Steps.Internal;
using Downshift.Steps.Migrate.Internal;

namespace Downshift.Steps.Migrate;

/// <summary>
/// <c>migrate</c> (E5): Flyway-named scripts (<c>V2_3__add_coupons.sql</c> up,
/// <c>U2_3__add_coupons.sql</c> its undo) against a schema-history table; each script runs in its
/// own transaction with its history row, and declared data checks run before and after.
/// </summary>
public sealed partial class MigrateStepKind : IStepKind
{
    public const string KindName = "migrate";

    private static readonly string[] CheckKeys = ["name", "sql", "expect"];

    public string Name => KindName;

    public string Summary => "Migrate a database's schema to a version with Flyway-named V/U scripts, one transaction per script, data checks before and after.";

    public UndoSupport Undo => UndoSupport.Derived;

    /// <summary>Dumps, restores to scratch and migrations of real databases take longer than the 5 minutes of other steps.</summary>
    public TimeSpan DefaultTimeout => TimeSpan.FromHours(1);

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("database", OptionType.StringMap, "The database: engine (postgresql|sqlite), name, host, port, user, password-env, run-as; or path for sqlite.", Required: true),
        new("scripts", OptionType.String, "Directory of V<ver>__<desc>.sql and U<ver>__<desc>.sql scripts on the controller, relative to the plan.", Required: true),
        new("to", OptionType.String, "The schema version to end at, e.g. \"2.1\".", Required: true),
        new("history-table", OptionType.String, $"The schema-history table (default {MigrateDefaults.HistoryTable})."),
        new("checks", OptionType.MapList, "Data checks run before and after: {name, sql, expect: same | VALUE}; sql returns one value."),
        new("undo-with", OptionType.String, "reapply (default: run the V scripts back up) or restore-backup (restore the backup step's verified chain).", Allowed: ["reapply", "restore-backup"]),
        new("backup", OptionType.String, "With undo-with: restore-backup, the id of the backup step (earlier in the plan) whose verified backup is restored."),
        new("accept-data-loss", OptionType.Boolean, "Allow scripts that destroy data (DROP TABLE/COLUMN, DELETE, TRUNCATE) with undo-with: reapply, which cannot bring the data back (default false)."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var database = DatabaseTargetReader.Read(reader, "database", required: true);
        var scripts = reader.String("scripts", required: true);
        var to = reader.String("to", required: true);
        var history = reader.String("history-table") ?? MigrateDefaults.HistoryTable;
        var checks = reader.Has("checks") ? reader.MapList("checks", CheckKeys) : [];
        var undoWith = reader.OneOf("undo-with", ["reapply", "restore-backup"]) ?? "reapply";
        var backup = reader.String("backup");
        var acceptLoss = reader.Has("accept-data-loss") ? reader.Boolean("accept-data-loss") : false;

        var ok = database is not null && scripts is not null && to is not null && checks is not null && acceptLoss is not null;
        if (to is not null && !SchemaVersion.TryParse(to, out _))
        {
            ok = OptionChecks.Fail(reader, "to", $"'to' must be a version such as 2.1 or 2_1, got '{to}'");
        }

        if (!HistoryTableName().IsMatch(history))
        {
            ok = OptionChecks.Fail(reader, "history-table", $"'history-table' must be a plain or schema-qualified SQL name, got '{history}'");
        }

        ok &= (undoWith == "restore-backup") == (backup is not null) ||
              OptionChecks.Fail(reader, backup is null ? "undo-with" : "backup", "'undo-with: restore-backup' and 'backup: STEP' go together");
        var parsedChecks = new List<DataCheck>();
        foreach (var (check, index) in (checks ?? []).Select((c, i) => (c, i)))
        {
            if (check.GetValueOrDefault("sql")?.Text is not { Length: > 0 } sql)
            {
                ok = OptionChecks.Fail(reader, "checks", $"checks[{index}] needs 'sql'");
                continue;
            }

            var name = check.GetValueOrDefault("name")?.Text ?? sql;
            var expect = check.GetValueOrDefault("expect")?.Text ?? DataCheck.Same;
            parsedChecks.Add(new DataCheck(name, sql, expect));
        }

        return ok
            ? new MigrateOptions
            {
                Database = database!,
                Scripts = scripts!,
                To = to!,
                HistoryTable = history,
                Checks = parsedChecks,
                UndoWith = undoWith == "restore-backup" ? MigrateUndo.RestoreBackup : MigrateUndo.Reapply,
                BackupStep = backup,
                AcceptDataLoss = acceptLoss!.Value,
            }
            : null;
    }

    public IStepExecutor CreateExecutor(StepOptions options) =>
        new MigrateExecutor(options as MigrateOptions
            ?? throw DownshiftException.Internal($"migrate step got {options.GetType().Name}"));

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex HistoryTableName();
}
