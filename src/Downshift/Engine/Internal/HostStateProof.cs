using System.Text.Json;
using Downshift.Fingerprints;
using Downshift.Hosts;
using Downshift.Journal;

namespace Downshift.Engine.Internal;

/// <summary>
/// The plan's <c>fingerprint:</c> on one host during a run (P9, V6): the host's fingerprint before its
/// first change, journaled whole; after the last step, the permissions compared with it (users, groups,
/// sudoers, SUID files, modes and owners: an undeclared change fails the host, so it rolls back); after
/// a rollback, the whole fingerprint compared with it — equal up to the declared differences is the
/// proof that the rollback brought the host back, anything else needs a human.
/// </summary>
internal sealed class HostStateProof(FingerprintSpec spec, IHostTransport transport, RunRecorder recorder, IRunObserver observer, string host)
{
    /// <summary>How the note holding the before-fingerprint (in its data) starts.</summary>
    public const string BeforeNote = "fingerprint before the change: ";

    /// <summary>How many differences a note or a reason lists before "and N more".</summary>
    private const int Shown = 5;

    private static readonly JsonSerializerOptions Compact = new(FingerprintJson.Options) { WriteIndented = false };

    private HostFingerprint? before;

    /// <summary>Takes and journals the fingerprint; returns why it could not be taken, or null.</summary>
    public async Task<string?> RecordBeforeAsync(CancellationToken cancellationToken)
    {
        observer.Message(host, "fingerprint before the change");
        HostFingerprint taken;
        try
        {
            taken = await CollectAsync(cancellationToken);
        }
        catch (DownshiftException e)
        {
            var reason = $"the fingerprint before the change could not be taken (nothing was changed): {e.Message}";
            await recorder.AppendAsync(JournalEvent.Note, host, result: reason);
            return reason;
        }

        before = taken;
        var summary = BeforeNote + taken.Summary();
        await recorder.AppendAsync(JournalEvent.Note, host, result: summary, data: JsonSerializer.Serialize(taken, Compact));
        observer.Message(host, summary);
        return null;
    }

    /// <summary>V6 after the last step: null when no permission changed unexpectedly, else why the host fails.</summary>
    public async Task<string?> CheckPermissionsAsync(CancellationToken cancellationToken)
    {
        var comparison = await CompareAsync("after the change", cancellationToken);
        if (comparison is null)
        {
            return null;
        }

        var changed = PermissionDifferences.Of(comparison).Where(d => !d.Expected).ToList();
        var state = comparison.Differences.Count == 0
            ? "state after the change: equal to the fingerprint before it"
            : $"state after the change: {comparison.Differences.Count} difference(s) from before it: {List(comparison.Differences)}";
        await recorder.AppendAsync(JournalEvent.Note, host, result: state, data: DifferencesJson(comparison));
        if (changed.Count == 0)
        {
            var line = "permissions (users, groups, sudoers, SUID files, modes and owners): equal to before the change";
            await recorder.AppendAsync(JournalEvent.Note, host, result: line);
            observer.Message(host, line);
            return null;
        }

        return $"permissions changed and the plan does not expect it (V6): {List(changed)}";
    }

    /// <summary>After the host's rollback: null when it equals its fingerprint from before the change (up to the declared differences), else what a human must look at.</summary>
    public async Task<string?> ProveRollbackAsync(CancellationToken cancellationToken)
    {
        FingerprintComparison? comparison;
        try
        {
            comparison = await CompareAsync("after the rollback", cancellationToken);
        }
        catch (DownshiftException e)
        {
            return $"'{host}' could not be fingerprinted after the rollback, so it is not proven back: {e.Message}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return $"the rollback of '{host}' was aborted before its fingerprint proved it back";
        }

        if (comparison is null)
        {
            return null;
        }

        var unexpected = comparison.Unexpected;
        if (unexpected.Count == 0)
        {
            var proven = $"rollback proven: the fingerprint equals the one before the change ({comparison.Differences.Count} declared difference(s))";
            await recorder.AppendAsync(JournalEvent.Note, host, result: proven, data: DifferencesJson(comparison));
            observer.Message(host, proven);
            return null;
        }

        var reason = $"after the rollback, '{host}' differs from its fingerprint before the change: {List(unexpected)}";
        await recorder.AppendAsync(JournalEvent.Note, host, result: $"rollback not proven: {List(unexpected)}", data: DifferencesJson(comparison));
        return reason;
    }

    /// <summary>The host now against the before-fingerprint (kept, or read back from the journal); null, with a note, when there is none.</summary>
    private async Task<FingerprintComparison?> CompareAsync(string when, CancellationToken cancellationToken)
    {
        before ??= Journaled();
        if (before is null)
        {
            await recorder.AppendAsync(JournalEvent.Note, host, result: $"no fingerprint from before the change: the state {when} is not compared");
            return null;
        }

        observer.Message(host, $"fingerprint {when}");
        var now = await CollectAsync(cancellationToken);
        return FingerprintDiff.Compare(before, now, spec.ExpectedDifferences);
    }

    private HostFingerprint? Journaled() =>
        recorder.Last(r => r.Event == JournalEvent.Note && r.Host == host && r.Result?.StartsWith(BeforeNote, StringComparison.Ordinal) == true)
            is { Data: { } json }
            ? FingerprintJson.Deserialize(json, $"the journal's fingerprint of '{host}'")
            : null;

    private Task<HostFingerprint> CollectAsync(CancellationToken cancellationToken) =>
        new FingerprintCollector(recorder.Time).CollectAsync(transport, spec, cancellationToken);

    private static string DifferencesJson(FingerprintComparison comparison) =>
        JsonSerializer.Serialize(FingerprintJson.Differences(comparison), Compact);

    private static string List(IReadOnlyList<FingerprintDifference> differences) =>
        string.Join("; ", differences.Take(Shown)) + (differences.Count > Shown ? $"; and {differences.Count - Shown} more" : "");
}
