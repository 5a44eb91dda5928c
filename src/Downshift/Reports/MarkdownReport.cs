using System.Text;
using System.Text.RegularExpressions;
using Downshift.Journal;
using Downshift.Reports.Internal;

namespace Downshift.Reports;

/// <summary>
/// The Markdown report of one run (V8): why and what, how it ended, the timeline, what was undone,
/// what is left for a human, config diffs, and the full operation log. Built from the journal alone;
/// the same records always give the same text.
/// </summary>
public static partial class MarkdownReport
{
    /// <param name="timeProvider">When given, an unfinished run shows its duration so far and the report its generation time.</param>
    /// <param name="facts">Reason, scope, versions and hosts from the stored plan; when null, what the RunStarted record kept.</param>
    public static string Render(RunHeader header, IReadOnlyList<JournalRecord> records, TimeProvider? timeProvider = null, PlanFacts? facts = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(records);
        var replay = RunReplay.From(records);
        facts ??= PlanFacts.FromRunStarted(records);
        var md = new StringBuilder();

        WriteSummary(md, header, replay, facts, timeProvider);
        WriteTimeline(md, replay);
        WriteUndone(md, replay);
        WriteLeft(md, replay);
        WriteMonitoring(md, records);
        WriteDataSafety(md, records);
        WriteStateProof(md, records);
        WriteDiffs(md, records);
        WriteLog(md, records);
        return md.ToString().TrimEnd('\n') + "\n";
    }

    private static void WriteSummary(StringBuilder md, RunHeader header, RunReplay replay, PlanFacts facts, TimeProvider? timeProvider)
    {
        md.AppendLine($"# Downgrade report: {header.PlanName} — run {header.RunId}").AppendLine();
        md.AppendLine($"**Status: {replay.Status.ToWire()}**").AppendLine();

        var started = replay.StartedAt ?? header.StartedAt;
        var now = timeProvider?.GetUtcNow();
        var end = replay.FinishedAt ?? (replay.Status is RunStatus.Running ? now : null);
        var rows = new List<IReadOnlyList<string?>>
        {
            Row("Reason", Join(" — ", facts.ReasonKind, facts.ReasonDetail)),
            Row("Scope", Join(": ", facts.ScopeKind, facts.ScopeItems.Count > 0 ? string.Join(", ", facts.ScopeItems) : null)),
            Row("Version", facts.From is null && facts.To is null ? null : $"{facts.From ?? "?"} → {facts.To ?? "?"}"),
            Row("Hosts", string.Join(", ", facts.Hosts.Count > 0 ? facts.Hosts : replay.Hosts)),
            Row("Operator", header.Operator),
            Row("Plan", $"{header.PlanPath} (sha256 {header.PlanHash})"),
            Row("Started", Markdown.Time(started)),
            Row("Finished", replay.FinishedAt is { } f ? Markdown.Time(f) : "not finished"),
            Row("Duration", end is { } e ? Markdown.Duration(e - started) + (replay.FinishedAt is null ? " so far" : "") : ""),
        };
        if (replay.RollbackReason is { } why)
        {
            rows.Add(Row("Rolled back because", why));
        }

        foreach (var row in rows.Where(r => !string.IsNullOrEmpty(r[1])))
        {
            md.AppendLine($"- **{row[0]}:** {row[1]}");
        }

        md.AppendLine();
        if (now is { } generated)
        {
            md.AppendLine($"_Generated {Markdown.Time(generated)}._").AppendLine();
        }
    }

    private static void WriteTimeline(StringBuilder md, RunReplay replay)
    {
        md.AppendLine("## Timeline").AppendLine();
        if (replay.Steps.Count == 0)
        {
            md.AppendLine("No step started.").AppendLine();
            return;
        }

        Markdown.Table(md, ["Phase", "Step", "Host", "Started", "Duration", "Result"], replay.Steps.Select(s => new[]
        {
            s.Phase,
            StepLabel(s),
            s.Host,
            Markdown.Time(s.StartedAt),
            Markdown.Duration(s.FinishedAt - s.StartedAt),
            StepResult(s),
        }));
    }

    private static void WriteUndone(StringBuilder md, RunReplay replay)
    {
        md.AppendLine("## Undone").AppendLine();
        var undone = replay.Steps
            .Where(s => s.State is StepState.Undone or StepState.UndoFailed or StepState.UndoSkipped or StepState.UndoInFlight)
            .ToList();
        if (undone.Count == 0)
        {
            md.AppendLine(replay.RollbackStarted ? "A rollback started, but no step needed undoing." : "Nothing was undone.").AppendLine();
            return;
        }

        Markdown.Table(md, ["Step", "Host", "Undo", "Detail"], undone.Select(s => new[]
        {
            StepLabel(s),
            s.Host,
            s.State switch
            {
                StepState.Undone => "undone",
                StepState.UndoFailed => "FAILED",
                StepState.UndoSkipped => "skipped",
                _ => "in flight",
            },
            s.State is StepState.Undone ? null : s.LastResult,
        }));
    }

    private static void WriteLeft(StringBuilder md, RunReplay replay)
    {
        md.AppendLine("## Needs attention").AppendLine();
        var attention = replay.NeedsAttention();
        if (replay.Status is RunStatus.Running)
        {
            md.AppendLine("- The run has not finished: it is still running, or the CLI stopped (`downshift resume` or `downshift rollback`).");
        }

        foreach (var step in attention)
        {
            var what = step.State switch
            {
                StepState.UndoFailed => $"undo failed: {step.LastResult}",
                StepState.UndoInFlight => "undo started and never finished: check the host",
                _ => "started and never finished: check the host",
            };
            md.AppendLine($"- {StepLabel(step)} on `{step.Host}`: {what}");
        }

        if (attention.Count == 0 && replay.Status is not RunStatus.Running)
        {
            md.AppendLine("Nothing is left.");
        }

        md.AppendLine();
    }

    /// <summary>The monitor (E2, E6, E8): each host's baseline, its bake, and a rule that tripped with its values and the baseline.</summary>
    private static void WriteMonitoring(StringBuilder md, IReadOnlyList<JournalRecord> records)
    {
        var rows = records.Where(r => r.Event == JournalEvent.Note && r.Host is not null && r.Result is { } text && MonitorLine().IsMatch(text)).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## Monitoring").AppendLine();
        Markdown.Table(md, ["Time (UTC)", "Host", "What"], rows.Select(r => new[] { Markdown.Time(r.Time), r.Host, r.Result }));
        md.AppendLine();
        foreach (var trip in rows.Where(r => r.Data is not null && r.Result!.StartsWith("trigger ", StringComparison.Ordinal)))
        {
            md.AppendLine($"### Trigger on {trip.Host}").AppendLine();
            Markdown.Fence(md, "json", trip.Data!);
        }
    }

    /// <summary>Backups (what was taken, sizes, the verification), migrations (versions, scripts, data checks) and restores, per host (P7, C2, E5).</summary>
    private static void WriteDataSafety(StringBuilder md, IReadOnlyList<JournalRecord> records)
    {
        JournalEvent[] events = [JournalEvent.Note, JournalEvent.StepSucceeded, JournalEvent.StepFailed, JournalEvent.UndoSucceeded, JournalEvent.UndoFailed];
        var rows = records
            .Where(r => events.Contains(r.Event) && (r.Event == JournalEvent.StepSucceeded ? r.Output : r.Result) is { } text && DataLine().IsMatch(text))
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## Data safety").AppendLine();
        Markdown.Table(md, ["Time (UTC)", "Host", "Step", "Event", "What"],
            rows.Select(r => new[]
            {
                Markdown.Time(r.Time),
                r.Host,
                r.StepIndex is null ? r.StepId : $"#{r.StepIndex} {r.StepId}",
                r.Event.ToString(),
                r.Event == JournalEvent.StepSucceeded ? r.Output : r.Result,
            }));
        md.AppendLine();
    }

    /// <summary>The plan's fingerprints during the run, per host (P9, V6): before the change, the permissions after it, the rollback's proof.</summary>
    private static void WriteStateProof(StringBuilder md, IReadOnlyList<JournalRecord> records)
    {
        var rows = records.Where(r => r.Event == JournalEvent.Note && r.Result is { } text && ProofLine().IsMatch(text)).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## State proof (fingerprints)").AppendLine();
        Markdown.Table(md, ["Time (UTC)", "Host", "What"], rows.Select(r => new[] { Markdown.Time(r.Time), r.Host, r.Result }));
        md.AppendLine();
    }

    private static void WriteDiffs(StringBuilder md, IReadOnlyList<JournalRecord> records)
    {
        var diffs = records.Where(r => r.Event is JournalEvent.StepSucceeded && r.Output is { } o && DiffLine().IsMatch(o)).ToList();
        if (diffs.Count == 0)
        {
            return;
        }

        md.AppendLine("## Config diffs").AppendLine();
        foreach (var record in diffs)
        {
            md.AppendLine($"### #{record.StepIndex} {record.StepId} on {record.Host}").AppendLine();
            Markdown.Fence(md, "diff", record.Output!);
        }
    }

    private static void WriteLog(StringBuilder md, IReadOnlyList<JournalRecord> records)
    {
        md.AppendLine("## Operation log").AppendLine();
        Markdown.Table(md, ["Seq", "Time (UTC)", "Operator", "Host", "Event", "Step", "Command", "Exit", "Duration", "Result"],
            records.Select(r => new[]
            {
                r.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markdown.Time(r.Time),
                r.Operator,
                r.Host,
                r.Event.ToString(),
                r.StepIndex is null ? r.StepId : $"#{r.StepIndex} {r.StepId}",
                r.Command,
                r.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markdown.Duration(r.Duration),
                r.Result,
            }));
    }

    private static string?[] Row(string name, string? value) => [name, value];

    private static string StepLabel(StepReplay step) => $"#{step.StepIndex} {step.StepId}".TrimEnd();

    private static string StepResult(StepReplay step)
    {
        var word = step.StepOutcome switch
        {
            StepState.InFlight => "in flight",
            StepState.AlreadyDone => "already done",
            StepState.Succeeded => "succeeded",
            StepState.Failed => "failed",
            _ => "started",
        };
        var detail = step.StepOutcome is StepState.Failed && step.OutcomeResult is { } reason ? $": {reason}" : "";
        var attempts = step.Attempts > 1 ? $" ({step.Attempts} attempts)" : "";
        var undo = step.State switch
        {
            StepState.Undone => "; undone",
            StepState.UndoFailed => "; undo FAILED",
            StepState.UndoSkipped => "; undo skipped",
            StepState.UndoInFlight => "; undo in flight",
            _ => "",
        };
        return word + detail + attempts + undo;
    }

    private static string? Join(string separator, string? first, string? second) =>
        (first, second) switch
        {
            (null, null) => null,
            (_, null) => first,
            (null, _) => second,
            _ => first + separator + second,
        };

    /// <summary>
    /// What the backup and migrate steps write: "full backup ID: …", "incremental ID: …", "… schema 2.3 -> 2.1: …",
    /// "… restored from ID", "… cannot be restored", "… cannot be migrated …", "… writes were not paused", a script's failure.
    /// </summary>
    [GeneratedRegex(@"^(staged: )?(full backup|incremental) \S+( failed verification)?:|\bschema \S+ -> \S+:|\brestored from \S+|\bcannot be (restored|migrated to)\b|\bcould not be backed up\b|\bwrites were not paused\b|\bfailed: .*\btransaction\b|\bnothing to restore\b", RegexOptions.None, 1000)]
    private static partial Regex DataLine();

    /// <summary>What the monitor journals: "baseline over …", "bake …", "bake vs baseline …" (V3, V4), "trigger '…' tripped: …".</summary>
    [GeneratedRegex(@"^(baseline over |bake \S+: |bake vs baseline |trigger '.*' tripped: )", RegexOptions.None, 1000)]
    private static partial Regex MonitorLine();

    /// <summary>The notes of the engine's HostStateProof: the fingerprint before, the state and permissions after, the rollback's proof.</summary>
    [GeneratedRegex(@"^(fingerprint before the change: |the fingerprint before the change could not be taken|state after the change: |permissions |'[^']*' changed, but its permissions could not be compared|rollback (not )?proven: )", RegexOptions.None, 1000)]
    private static partial Regex ProofLine();

    /// <summary>Unified diff markers: a hunk header, or a ---/+++ file header pair.</summary>
    [GeneratedRegex(@"^(@@ .* @@|\+\+\+ \S)", RegexOptions.Multiline, 1000)]
    private static partial Regex DiffLine();
}
