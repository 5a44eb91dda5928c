using Downshift.Backups;

namespace Downshift.Steps.Backup.Internal;

/// <summary>Finds the backups a step took in this run on this host (the store is the record; the journal names them too).</summary>
internal static class BackupChains
{
    /// <summary>The newest backup of <paramref name="kind"/> this step took in this run on this host whose verification passed.</summary>
    public static Task<BackupManifest?> LatestVerifiedAsync(
        BackupStore store, StepContext context, BackupKind kind, CancellationToken cancellationToken) =>
        LatestVerifiedAsync(store, context.RunId, context.Host.HostName, context.Step.Id, kind, cancellationToken);

    public static Task<BackupManifest?> LatestVerifiedAsync(
        BackupStore store, string runId, string host, string stepId, BackupKind? kind, CancellationToken cancellationToken) =>
        store.LatestVerifiedAsync(
            host,
            m => m.RunId == runId && m.Source == stepId && (kind is null || m.Kind == kind),
            cancellationToken);
}
