using System.Text.Json;
using Downshift.Fingerprints;
using Downshift.Hosts;
using Downshift.Journal;

namespace Downshift.Engine.Internal;

/// <summary>
/// The plan's <c>fingerprint:</c> on one host during a run (P9, V6): the host's fingerprint before its
/// first change, journaled whole (and read back, as a resume in another process will read it); after
/// the last step, the permissions compared with it (users, groups, sudoers, SUID files, modes and
/// owners: an undeclared change fails the host, so it rolls back); after a rollback, the whole
/// fingerprint compared with it — equal up to the declared differences is the proof that the rollback
/// brought the host back, anything else (a difference, a fingerprint that cannot be taken) needs a human.
/// Every verdict is a note on the host, so the report's "State proof" section shows it.
/// </summary>
internal sealed class HostStateProof(FingerprintSpec spec, IHostTransport transport, RunRecorder recorder, IRunObserver observer, string host)
{
    /// <summary>How the note holding the before-fingerprint (in its data) starts.</summary>
    public const string BeforeNote = "fingerprint before the change: ";

    private const string ProvenNote = "rollback proven: ";

    private const string NotProvenNote = "rollback not proven: ";

    /// <summary>How many differences a note or a reason lists before "and N more".</summary>
    private const int Shown = 5;

    private static readonly JsonSerializerOptions Compact = new(FingerprintJson.Options) { WriteIndented = false };

    private HostFingerprint? before;

    /// <summary>
    /// True when this host's rollback started but no proof of it was journaled after that (the process
    /// died in between, or the last proof failed): the rollback is not finished until it is proven.
    /// </summary>
    public bool Pending()
    {
        var started = recorder.Last(r => r.Event == JournalEvent.RollbackStarted && r.Host == host);
        if (started is null)
        {
            return false;
        }

        var proven = recorder.Last(r => r.Event == JournalEvent.Note && r.Host == host && r.Result?.StartsWith(ProvenNote, StringComparison.Ordinal) == true);
        return proven is null || proven.Sequence < started.Sequence;
    }

    /// <summary>Takes and journals the fingerprint; returns why it could not be taken (the host fails, nothing changed), or null.</summary>
    public async Task<string?> RecordBeforeAsync(CancellationToken cancellationToken)
    {
        observer.Message(host, "fingerprint before the change");
        string? problem;
        try
        {
            var taken = await CollectAsync(spec, cancellationToken);
            var written = await recorder.AppendAsync(
                JournalEvent.Note, host, result: BeforeNote + taken.Summary(), data: JsonSerializer.Serialize(taken, Compact));
            problem = ReadBack(taken, written.Data);
            if (problem is null)
            {
                observer.Message(host, written.Result!);
                return null;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problem = e.Message;
        }

        var reason = $"the fingerprint before the change could not be taken (nothing was changed): {problem}";
        await recorder.AppendAsync(JournalEvent.Note, host, result: reason);
        return reason;
    }

    /// <summary>V6 after the last step: null when no permission changed unexpectedly; else Failed (an undeclared change) or NeedsAttention (could not compare).</summary>
    public async Task<ForwardOutcome?> CheckPermissionsAsync(CancellationToken cancellationToken)
    {
        FingerprintComparison comparison;
        try
        {
            // Without the databases: their row checksums (a scan of every table) decide no permission, and a
            // migration changes them on purpose. Only a rollback's proof compares them.
            comparison = await CompareAsync("after the change", databases: false, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await VerdictAsync(ForwardResult.NeedsAttention, $"'{host}' changed, but its permissions could not be compared with before the change: {e.Message}");
        }

        var skipped = spec.Databases.Count == 0 ? "" : " (databases not compared after the change; a rollback's proof compares them)";
        var state = comparison.Differences.Count == 0
            ? $"state after the change: equal to the fingerprint before it{skipped}"
            : $"state after the change: {comparison.Differences.Count} difference(s) from before it{skipped}: {List(comparison.Differences)}";
        await recorder.AppendAsync(JournalEvent.Note, host, result: state, data: DifferencesJson(comparison));
        var changes = PermissionDifferences.Of(comparison).Where(d => !d.Expected).ToList();
        var unread = changes.Where(d => d.Key.StartsWith('(')).ToList();
        if (unread.Count > 0)
        {
            return await VerdictAsync(ForwardResult.NeedsAttention, $"permissions could not be compared with before the change (V6): {List(unread)}");
        }

        if (changes.Count > 0)
        {
            return await VerdictAsync(ForwardResult.Failed, $"permissions changed and the plan does not expect it (V6): {List(changes)}");
        }

        var line = "permissions (users, groups, sudoers, SUID files, modes and owners): equal to before the change";
        await recorder.AppendAsync(JournalEvent.Note, host, result: line);
        observer.Message(host, line);
        return null;
    }

    /// <summary>After the host's rollback: null when it equals its fingerprint from before the change (up to the declared differences), else what a human must look at.</summary>
    public async Task<string?> ProveRollbackAsync(CancellationToken cancellationToken)
    {
        FingerprintComparison comparison;
        try
        {
            comparison = await CompareAsync("after the rollback", databases: true, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await NotProvenAsync("the rollback was aborted before the fingerprint proved it", null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await NotProvenAsync($"the fingerprint after the rollback could not be compared: {e.Message}", null);
        }

        if (comparison.HasUnexpected)
        {
            return await NotProvenAsync(List(comparison.Unexpected), comparison);
        }

        var proven = $"{ProvenNote}the fingerprint equals the one before the change ({comparison.Differences.Count} declared difference(s))";
        await recorder.AppendAsync(JournalEvent.Note, host, result: proven, data: DifferencesJson(comparison));
        observer.Message(host, proven);
        return null;
    }

    private async Task<string> NotProvenAsync(string why, FingerprintComparison? comparison)
    {
        await recorder.AppendAsync(JournalEvent.Note, host, result: NotProvenNote + why, data: comparison is null ? null : DifferencesJson(comparison));
        observer.Message(host, NotProvenNote + why);
        return $"after the rollback, '{host}' is not proven back where it was: {why}";
    }

    private async Task<ForwardOutcome> VerdictAsync(ForwardResult result, string reason)
    {
        await recorder.AppendAsync(JournalEvent.Note, host, result: reason);
        observer.Message(host, reason);
        return new ForwardOutcome(result, reason);
    }

    /// <summary>The host now against the before-fingerprint (kept, or read back from the journal); without <paramref name="databases"/>, neither side has them.</summary>
    private async Task<FingerprintComparison> CompareAsync(string when, bool databases, CancellationToken cancellationToken)
    {
        before ??= Journaled() ?? throw DownshiftException.InvalidState(
            $"the journal holds no fingerprint of '{host}' from before the change (the run began before its plan declared 'fingerprint:', or with an older Downshift)");
        observer.Message(host, $"fingerprint {when}");
        var scope = databases ? spec : spec.WithoutDatabases();
        var now = await CollectAsync(scope, cancellationToken);
        return FingerprintDiff.Compare(databases ? before : before.WithoutDatabases(), now, scope.ExpectedDifferences);
    }

    /// <summary>Keeps the journal's copy (what a resume reads) when it equals the one taken; else says why not (secret redaction changed it).</summary>
    private string? ReadBack(HostFingerprint taken, string? stored)
    {
        HostFingerprint back;
        try
        {
            back = FingerprintJson.Deserialize(stored ?? "", $"the journal's fingerprint of '{host}'");
        }
        catch (DownshiftException e)
        {
            return $"the journal cannot hold it as taken (its secret redaction changed it): {e.Message}";
        }

        var changed = FingerprintDiff.Compare(taken, back, []).Differences;
        if (changed.Count > 0)
        {
            return $"the journal cannot hold it as taken (its secret redaction changed {List(changed)})";
        }

        before = back;
        return null;
    }

    private HostFingerprint? Journaled() =>
        recorder.Last(r => r.Event == JournalEvent.Note && r.Host == host && r.Result?.StartsWith(BeforeNote, StringComparison.Ordinal) == true)
            is { Data: { } json }
            ? FingerprintJson.Deserialize(json, $"the journal's fingerprint of '{host}'")
            : null;

    private Task<HostFingerprint> CollectAsync(FingerprintSpec scope, CancellationToken cancellationToken) =>
        new FingerprintCollector(recorder.Time).CollectAsync(transport, scope, cancellationToken);

    private static string DifferencesJson(FingerprintComparison comparison) =>
        JsonSerializer.Serialize(FingerprintJson.Differences(comparison), Compact);

    private static string List(IReadOnlyList<FingerprintDifference> differences) =>
        string.Join("; ", differences.Take(Shown)) + (differences.Count > Shown ? $"; and {differences.Count - Shown} more" : "");
}
