using Downshift.Backups;
using Downshift.Hosts;

namespace Downshift.Steps.Backup.Internal;

/// <summary>
/// Staging takes the full backup while the service still serves; the step itself (after the stop or
/// its own pause-writes) takes the incremental on it. Each backup is verified — restored to scratch
/// and compared — before the step may succeed, and a backup that fails verification fails the step
/// (at staging: the host is left untouched).
/// </summary>
internal sealed class BackupExecutor(BackupOptions options) : IStepExecutor, IStagingStep
{
    private const string FullKey = "full";
    private const string PausedKey = "paused";

    public string Describe()
    {
        var what = new List<string>();
        if (options.Files.Count > 0)
        {
            what.Add(string.Join(", ", options.Files));
        }

        if (options.Database is { } database)
        {
            what.Add(database.Describe());
        }

        var pause = options.PauseWrites is null ? "" : $" after '{options.PauseWrites}'";
        return $"back up {string.Join(" and ", what)}: full at staging, incremental here{pause}; each verified by a restore to scratch";
    }

    public string? DescribeUndo()
    {
        var undo = new List<string>();
        if (options.RestoreFilesOnUndo)
        {
            undo.Add($"put {string.Join(", ", options.Files)} back from the backup");
        }

        if (options.ResumeWrites is { } resume)
        {
            undo.Add($"resume writes: {resume}");
        }

        return undo.Count == 0 ? "nothing to undo (the backups stay in the store)" : string.Join("; ", undo);
    }

    public async Task<StepOutcome> StageAsync(StepContext context, CancellationToken cancellationToken)
    {
        var store = Store(context);
        if (await BackupChains.LatestVerifiedAsync(store, context, BackupKind.Full, cancellationToken) is { } done)
        {
            return StepOutcome.Succeeded($"full backup {done.Id} already taken and verified");
        }

        var taken = await TakeAsync(context, store, parent: null, cancellationToken);
        return Outcome(taken);
    }

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken) =>
        await BackupChains.LatestVerifiedAsync(Store(context), context, BackupKind.Incremental, cancellationToken) is null
            ? CheckResult.NotDone
            : CheckResult.Done;

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var store = Store(context);
        var full = await BackupChains.LatestVerifiedAsync(store, context, BackupKind.Full, cancellationToken);
        if (full is null)
        {
            // Staging did not run for this step (an older journal, a resumed run): take it now.
            var taken = await TakeAsync(context, store, parent: null, cancellationToken);
            full = taken.Passed ? taken.Manifest : throw DownshiftException.InvalidState(taken.Describe());
        }

        return UndoData.Empty.With(FullKey, full.Id).With(PausedKey, options.PauseWrites is null ? "no" : "yes");
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var store = Store(context);
        if (options.PauseWrites is { } pause)
        {
            var paused = await context.Host.RunAsync(new HostCommand(context.Expand(pause)) { Timeout = context.Step.Timeout }, cancellationToken);
            if (!paused.Succeeded)
            {
                return StepOutcome.Failed($"pause-writes failed (exit {paused.ExitCode}): {paused.Output.Trim()}");
            }
        }

        var parent = await store.OpenAsync(prepared.Require(FullKey), cancellationToken);
        var taken = await TakeAsync(context, store, parent, cancellationToken);
        if (taken.Passed && options.Keep > 0)
        {
            await store.ApplyRetentionAsync(new RetentionRule(options.Keep, context.Host.HostName, context.Step.Id), cancellationToken);
        }

        return Outcome(taken);
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        if (options.RestoreFilesOnUndo)
        {
            var store = Store(context);
            var latest = await BackupChains.LatestVerifiedAsync(store, context, BackupKind.Incremental, cancellationToken)
                ?? await BackupChains.LatestVerifiedAsync(store, context, BackupKind.Full, cancellationToken)
                ?? throw DownshiftException.InvalidState($"no verified backup of step '{context.Step.Id}' on '{context.Host.HostName}' in run {context.RunId}: the files cannot be put back");
            var chain = await store.ChainAsync(latest.Id, cancellationToken);
            await FileRestore.ToHostAsync(store, chain, BackupJob.FilesItem, context.Host, cancellationToken);
            done.Add($"files put back from {latest.Id}");
        }

        if (options.ResumeWrites is { } resume && prepared.Get(PausedKey) == "yes")
        {
            var resumed = await context.Host.RunAsync(new HostCommand(context.Expand(resume)) { Timeout = context.Step.Timeout }, cancellationToken);
            if (!resumed.Succeeded)
            {
                return StepOutcome.Failed($"resume-writes failed (exit {resumed.ExitCode}): {resumed.Output.Trim()}");
            }

            done.Add("writes resumed");
        }

        return done.Count == 0
            ? StepOutcome.Skipped("a backup changes nothing on the host; its backups stay in the store")
            : StepOutcome.Succeeded(string.Join("; ", done));
    }

    private Task<BackupResult> TakeAsync(StepContext context, BackupStore store, BackupManifest? parent, CancellationToken cancellationToken) =>
        new BackupJob(store, context.Time).TakeAsync(
            context.Host, context.Step.Id, context.RunId, new BackupSpec(options.Files, options.Database), parent, cancellationToken);

    private static StepOutcome Outcome(BackupResult taken) =>
        taken.Passed ? StepOutcome.Succeeded(taken.Describe()) : StepOutcome.Failed(taken.Describe());

    private static BackupStore Store(StepContext context) =>
        context.Backups ?? throw DownshiftException.InvalidState(
            $"step '{context.Step.Id}' backs up, but this run has no backup store (--backup-store DIR or $DOWNSHIFT_BACKUP_STORE)");
}
