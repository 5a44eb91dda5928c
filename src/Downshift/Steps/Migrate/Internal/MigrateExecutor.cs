using System.Text.Json;
using Downshift.Databases;

namespace Downshift.Steps.Migrate.Internal;

/// <summary>
/// Walks a database's schema to the target version, one script per transaction with its history row.
/// Staging (before the stop) proves the walk is possible: every script there, the applied ones
/// unchanged since they ran, no half-applied script, a restorable undo for scripts that destroy data or
/// cannot run in a transaction. A script that fails rolls its transaction back: the schema stays at the
/// last version that completed, and the history says which.
/// </summary>
internal sealed class MigrateExecutor(MigrateOptions options) : IStepExecutor, IStagingStep
{
    private const string PreviousKey = "previous-version";
    private const string BeforeKey = "checks-before";
    private const string HistoryRowsKey = "history-rows";

    private MigrationSet? loaded;

    public string Describe() =>
        $"migrate {options.Database.Describe()} to schema {options.To} with the scripts in {options.Scripts} " +
        $"(one transaction per script, history in {options.HistoryTable}" +
        (options.Checks.Count > 0 ? $"; {options.Checks.Count} data check(s) before and after)" : ")");

    public string? DescribeUndo() => options.UndoWith == MigrateUndo.RestoreBackup
        ? $"restore {options.Database.Describe()} from the verified backup of step '{options.BackupStep}'"
        : "re-apply the V scripts up to the version the step started at";

    public async Task<StepOutcome> StageAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (database, scripts, history) = await OpenAsync(context, cancellationToken);
        var target = SchemaVersion.Parse(options.To);
        var problems = new List<string>();
        if (history.Failed is { } failed)
        {
            problems.Add($"{history.Table} has a failed row ({failed.Script}, rank {failed.Rank}): the schema may be half-migrated; repair it first");
        }

        foreach (var (version, row) in history.Applied)
        {
            if (row.Checksum is { } applied && scripts.Up(version) is { } file && file.Checksum != applied)
            {
                problems.Add($"{file.FileName} differs from the script applied as {version} (checksum {file.Checksum} ≠ {applied} in {history.Table}): its undo may not match what ran");
            }
        }

        IReadOnlyList<MigrationScript> path = [];
        try
        {
            path = scripts.PathTo(history.AppliedWith(scripts), target);
        }
        catch (DownshiftException e)
        {
            problems.Add(e.Message);
        }

        foreach (var script in path.Where(s => s.InTransaction))
        {
            if (script.TransactionControl() is { Count: > 0 } control)
            {
                problems.Add($"{script.FileName} ends the step's transaction itself ({string.Join(" ", control)}): a failure after it could not be rolled back; remove the transaction statements (each script already runs in its own transaction)");
            }
        }

        if (options.UndoWith == MigrateUndo.RestoreBackup)
        {
            if (await Backup.DatabaseRestore.ProblemAsync(context, options.BackupStep!, options.Database, cancellationToken) is { } missing)
            {
                problems.Add($"undo-with: restore-backup cannot work: {missing}");
            }
        }
        else
        {
            foreach (var script in path.Where(s => !s.InTransaction))
            {
                problems.Add($"{script.FileName} cannot run in a transaction: a failure midway would leave the schema in between; declare 'undo-with: restore-backup' and 'backup: STEP'");
            }

            foreach (var script in path.Where(_ => !options.AcceptDataLoss))
            {
                if (script.DataLoss() is { Count: > 0 } loss)
                {
                    problems.Add($"{script.FileName} destroys data ({string.Join("; ", loss)}) and re-applying the V scripts cannot bring it back; declare 'undo-with: restore-backup' and 'backup: STEP', or 'accept-data-loss: true'");
                }
            }
        }

        var values = await DataChecks.ReadAsync(database, options.Checks, cancellationToken);
        problems.AddRange(DataChecks.Unmet(options.Checks, values, "now").Select(p => $"data check {p}"));
        if (problems.Count > 0)
        {
            return StepOutcome.Failed($"{database.Describe()} cannot be migrated to {options.To}: {string.Join("; ", problems)}; nothing was changed");
        }

        return StepOutcome.Succeeded(
            $"{database.Describe()} schema {history.CurrentText} -> {options.To}: " +
            (path.Count == 0 ? "nothing to run" : string.Join(", ", path.Select(s => s.FileName))) +
            (options.Checks.Count > 0 ? $"; checks now: {DataChecks.Describe(options.Checks, values, values)}" : ""));
    }

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (_, scripts, history) = await OpenAsync(context, cancellationToken);
        if (history.Failed is not null)
        {
            return CheckResult.Unknown;
        }

        // With data checks, an empty path is not enough: a run killed after the last script committed
        // but before the checks ran must still compare them (execute then runs no script).
        return scripts.PathTo(history.AppliedWith(scripts), SchemaVersion.Parse(options.To)).Count == 0 && options.Checks.Count == 0
            ? CheckResult.Done
            : CheckResult.NotDone;
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (database, _, history) = await OpenAsync(context, cancellationToken);
        var before = await DataChecks.ReadAsync(database, options.Checks, cancellationToken);
        return UndoData.Empty
            .With(PreviousKey, history.Current?.ToString() ?? "")
            .With(HistoryRowsKey, history.Rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With(BeforeKey, JsonSerializer.Serialize(before));
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var (database, scripts, history) = await OpenAsync(context, cancellationToken);
        if (history.Failed is { } failed)
        {
            return StepOutcome.Failed($"{history.Table} has a failed row ({failed.Script}, rank {failed.Rank}): a script stopped halfway outside a transaction; repair the schema by hand before running it again");
        }

        var before = Before(prepared);
        if (DataChecks.Unmet(options.Checks, before, "before the migration") is { Count: > 0 } unmet)
        {
            return StepOutcome.Failed($"data check {string.Join("; ", unmet)}: nothing was changed");
        }

        var path = scripts.PathTo(history.AppliedWith(scripts), SchemaVersion.Parse(options.To));
        var ran = await RunAsync(context, database, history, path, cancellationToken);
        if (ran.Failure is { } failure)
        {
            return StepOutcome.Failed(failure);
        }

        var after = await DataChecks.ReadAsync(database, options.Checks, cancellationToken);
        var broken = DataChecks.Changed(options.Checks, before, after).Concat(DataChecks.Unmet(options.Checks, after, "after the migration")).ToList();
        var summary = $"{database.Describe()} schema {prepared.Get(PreviousKey) switch { null or "" => "(empty)", var v => v }} -> {ran.Current}: {ran.Summary}" +
                      (options.Checks.Count > 0 ? $"; checks: {DataChecks.Describe(options.Checks, before, after)}" : "");
        return broken.Count == 0
            ? StepOutcome.Succeeded(summary)
            : StepOutcome.Failed($"data check failed after the migration: {string.Join("; ", broken)} ({summary})");
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var database = options.Database.Open(context.Host);
        if (options.UndoWith == MigrateUndo.RestoreBackup)
        {
            var now = await SchemaHistory.ReadAsync(database, options.HistoryTable, cancellationToken);
            if (prepared.Get(HistoryRowsKey) is { } rows && rows == now.Rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return StepOutcome.Skipped($"no script of the migration committed ({options.HistoryTable} unchanged since the step began, schema {now.CurrentText}): nothing to restore");
            }

            var restored = await Backup.DatabaseRestore.RestoreAsync(context, options.BackupStep!, options.Database, cancellationToken);
            return restored.IsSuccess ? await CheckAfterUndoAsync(database, prepared, restored.Detail ?? "restored", cancellationToken) : restored;
        }

        var (_, scripts, history) = await OpenAsync(context, cancellationToken);
        if (prepared.Get(PreviousKey) is not { Length: > 0 } previousText)
        {
            return StepOutcome.Failed($"{database.Describe()} had no applied version before the step: re-applying cannot tell where to stop");
        }

        var path = scripts.PathTo(history.AppliedWith(scripts), SchemaVersion.Parse(previousText));
        var ran = await RunAsync(context, database, history, path, cancellationToken);
        return ran.Failure is { } failure
            ? StepOutcome.Failed(failure)
            : await CheckAfterUndoAsync(database, prepared, $"schema {history.CurrentText} -> {ran.Current}: {ran.Summary}", cancellationToken);
    }

    private async Task<StepOutcome> CheckAfterUndoAsync(IDatabase database, UndoData prepared, string done, CancellationToken cancellationToken)
    {
        var before = Before(prepared);
        var after = await DataChecks.ReadAsync(database, options.Checks, cancellationToken);
        var changed = DataChecks.Changed(options.Checks, before, after);
        return changed.Count == 0
            ? StepOutcome.Succeeded(options.Checks.Count > 0 ? $"{done}; checks: {DataChecks.Describe(options.Checks, before, after)}" : done)
            : StepOutcome.Failed($"{done}, but the data is not as before the step: {string.Join("; ", changed)}");
    }

    private sealed record Ran(string Current, string Summary, string? Failure);

    /// <summary>Runs <paramref name="path"/> in order, each script in its own transaction with its history row; stops at the first failure.</summary>
    private static async Task<Ran> RunAsync(
        StepContext context, IDatabase database, SchemaHistory history, IReadOnlyList<MigrationScript> path, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        var installedBy = $"downshift {context.RunId}";
        foreach (var script in path)
        {
            var insert = history.InsertSql(script, installedBy, database.Engine);
            var result = script.InTransaction
                ? await database.ExecuteAsync($"{script.Sql}\n;\n{insert}", inTransaction: true, cancellationToken)
                : await RunOutsideTransactionAsync(database, script, insert, cancellationToken);
            if (!result.Succeeded)
            {
                var now = await SchemaHistory.ReadAsync(database, history.Table, cancellationToken);
                var state = script.InTransaction
                    ? $"its transaction was rolled back: the schema is at {now.CurrentText}"
                    : $"it ran outside a transaction, so the schema may be between {now.CurrentText} and the next version ({history.Table} has a failed row)";
                var earlier = done.Count > 0 ? $" (done before it: {string.Join(", ", done)})" : "";
                return new Ran(now.CurrentText, string.Join(", ", done), $"{script.FileName} failed: {result.Error?.Trim()}; {state}{earlier}");
            }

            done.Add($"{script.FileName} ({result.Duration.TotalSeconds:0.00} s)");
        }

        var current = (await SchemaHistory.ReadAsync(database, history.Table, cancellationToken)).CurrentText;
        return new Ran(current, done.Count == 0 ? "nothing to run" : "ran " + string.Join(", ", done), null);
    }

    /// <summary>A script that cannot run in a transaction, then its history row; a failure leaves a row with success = false, as Flyway does.</summary>
    private static async Task<DatabaseCommandResult> RunOutsideTransactionAsync(
        IDatabase database, MigrationScript script, string insert, CancellationToken cancellationToken)
    {
        var result = await database.ExecuteAsync(script.Sql, inTransaction: false, cancellationToken);
        var row = result.Succeeded ? insert : insert.Replace($", {SchemaHistory.Boolean(true, database.Engine)});", $", {SchemaHistory.Boolean(false, database.Engine)});", StringComparison.Ordinal);
        var recorded = await database.ExecuteAsync(row, inTransaction: true, cancellationToken);
        return result.Succeeded && !recorded.Succeeded ? recorded : result;
    }

    /// <summary>The database, the scripts (read once per executor: they do not change during a run) and the history as it is now.</summary>
    private async Task<(IDatabase Database, MigrationSet Scripts, SchemaHistory History)> OpenAsync(StepContext context, CancellationToken cancellationToken)
    {
        var database = options.Database.Open(context.Host);
        loaded ??= await MigrationSet.LoadAsync(Path.GetFullPath(options.Scripts, context.PlanDirectory), cancellationToken);
        var history = await SchemaHistory.ReadAsync(database, options.HistoryTable, cancellationToken);
        return (database, loaded, history);
    }

    private static IReadOnlyList<string> Before(UndoData prepared) =>
        prepared.Get(BeforeKey) is { Length: > 0 } json ? JsonSerializer.Deserialize<List<string>>(json) ?? [] : [];
}
