using System.Globalization;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Monitoring;
using Downshift.Monitoring.Rules;

namespace Downshift.Engine.Internal;

/// <summary>
/// The plan's <c>monitor:</c> on one host (E2, E6, E8): the baseline sampled before the host's first
/// change, and the bake after its last step, when every sample batch is judged by the trigger rules. A
/// rule that trips fails the host at once (the run rolls it back, the rule, its values and the baseline in
/// the journal); a rule still inconclusive at the end of the bake (missing data) pauses the run for a
/// human or rolls back, as the plan says — never "healthy". Samples go to the journal (MetricSamples).
/// </summary>
internal sealed class HostWatch(MonitorPlan plan, HostEntry target, IHostTransport transport, RunRecorder recorder, IRunObserver observer)
{
    private Baseline? baseline;

    private string Host => target.Name;

    private TimeProvider Time => recorder.Time;

    public async Task RecordBaselineAsync(CancellationToken cancellationToken)
    {
        if (plan.Baseline <= TimeSpan.Zero)
        {
            return;
        }

        observer.Message(Host, $"baseline: sampling for {Seconds(plan.Baseline)}");
        var writer = Writer(MetricJournal.BaselineStage);
        using var monitor = Monitor((batch, ct) => writer.AddAsync(batch, ct));
        baseline = await new BaselineRecorder(monitor, Time).RecordAsync(plan.Baseline, cancellationToken);
        await writer.FlushAsync(CancellationToken.None);
        var summary = $"baseline over {Seconds(plan.Baseline)}: {Summary(baseline)}";
        await recorder.AppendAsync(JournalEvent.Note, Host, result: summary);
        observer.Message(Host, summary);
    }

    /// <summary>Watches the host for the bake time; Completed, Failed (a rule tripped, or missing data with on-missing: rollback) or NeedsAttention.</summary>
    public async Task<ForwardOutcome> BakeAsync(CancellationToken cancellationToken)
    {
        if (plan.Bake <= TimeSpan.Zero)
        {
            return new ForwardOutcome(ForwardResult.Completed, "");
        }

        baseline ??= await LoadBaselineAsync(cancellationToken);
        observer.Message(Host, $"bake: watching for {Seconds(plan.Bake)} ({plan.Triggers.Count} rule(s))");
        var start = Time.GetUtcNow();
        var writer = Writer(MetricJournal.LiveStage);
        RuleEvaluation? tripped = null;
        TriggerRule? trippedRule = null;
        IReadOnlyList<MetricSeries> series;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        MetricMonitor? monitor = null;
        using (monitor = Monitor(async (batch, ct) =>
        {
            await writer.AddAsync(batch, ct);
            foreach (var rule in plan.Triggers)
            {
                if (rule.Evaluate(Since(monitor!.Snapshot(), start), baseline, batch.Time, plan.Interval, [Host]).FirstOrDefault(e => e.Verdict == RuleVerdict.Tripped) is { } hit)
                {
                    (tripped, trippedRule) = (hit, rule);
                    await stop.CancelAsync();
                    return;
                }
            }
        }))
        {
            try
            {
                await monitor.RunAsync(plan.Bake, stop.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A rule tripped: stop watching, roll back.
            }
            finally
            {
                await writer.FlushAsync(CancellationToken.None);
            }

            series = Since(monitor.Snapshot(), start);
        }

        if (tripped is not null)
        {
            var reason = $"trigger '{trippedRule!.Text}' tripped: {tripped.Explanation}";
            await recorder.AppendAsync(JournalEvent.Note, Host, result: reason, data: Describe(trippedRule, tripped));
            observer.Message(Host, reason);
            return new ForwardOutcome(ForwardResult.Failed, reason);
        }

        await CompareWithBaselineAsync(series, start);
        return await JudgeEndAsync(series, baseline);
    }

    /// <summary>
    /// V3, V4: the bake against the baseline, metric by metric (mean during the bake vs the baseline's
    /// mean), the largest changes first, so a slower endpoint or a busier resource is named.
    /// </summary>
    private async Task CompareWithBaselineAsync(IReadOnlyList<MetricSeries> series, DateTimeOffset start)
    {
        if (baseline is null)
        {
            return;
        }

        var bake = Baseline.From(series, start, Time.GetUtcNow());
        var changes = bake.Metrics
            .Where(m => m.Host == Host && m.Mean is not null && baseline.Find(Host, m.Metric)?.Mean is not null)
            .Select(m => (m.Metric, Before: baseline.Find(Host, m.Metric)!.Mean!.Value, After: m.Mean!.Value))
            .Select(c => (c.Metric, c.Before, c.After, Change: c.Before == 0 ? (c.After == 0 ? 0 : double.PositiveInfinity) : (c.After - c.Before) / Math.Abs(c.Before)))
            .OrderByDescending(c => Math.Abs(c.Change))
            .ToList();
        if (changes.Count == 0)
        {
            return;
        }

        var lines = changes.Select(c => $"{c.Metric} {Number(c.Before)} -> {Number(c.After)} ({(double.IsInfinity(c.Change) ? "new" : c.Change.ToString("+0%;-0%;0%", CultureInfo.InvariantCulture))})");
        var text = $"bake vs baseline (means): {string.Join("; ", lines)}";
        await recorder.AppendAsync(JournalEvent.Note, Host, result: text);
        observer.Message(Host, text.Length > 300 ? text[..300] + "…" : text);
    }

    private async Task<ForwardOutcome> JudgeEndAsync(IReadOnlyList<MetricSeries> series, IBaselineValues? values)
    {
        var now = Time.GetUtcNow();
        var verdicts = plan.Triggers
            .Select(rule => (Rule: rule, Result: rule.Evaluate(series, values, now, plan.Interval, [Host]).First(e => e.Host == Host)))
            .ToList();
        var inconclusive = verdicts.Where(v => v.Result.Verdict != RuleVerdict.Healthy).ToList();
        if (inconclusive.Count == 0)
        {
            var healthy = $"bake {Seconds(plan.Bake)}: {(verdicts.Count == 0 ? "watched, no rules" : "every rule healthy: " + string.Join("; ", verdicts.Select(v => v.Result.Explanation)))}";
            await recorder.AppendAsync(JournalEvent.Note, Host, result: healthy);
            observer.Message(Host, healthy);
            return new ForwardOutcome(ForwardResult.Completed, healthy);
        }

        var rollback = inconclusive.Any(v => (v.Rule.OnMissing ?? plan.OnMissing) == MissingDataPolicy.Rollback);
        var why = string.Join("; ", inconclusive.Select(v => $"'{v.Rule.Text}' inconclusive: {v.Result.Explanation}"));
        await recorder.AppendAsync(JournalEvent.Note, Host, result: $"bake {Seconds(plan.Bake)}: missing data is not healthy: {why}");
        observer.Message(Host, $"inconclusive: {why}");
        return rollback
            ? new ForwardOutcome(ForwardResult.Failed, $"the monitor could not tell the host is healthy (on-missing: rollback): {why}")
            : new ForwardOutcome(
                ForwardResult.NeedsAttention,
                $"the monitor could not tell '{Host}' is healthy after the bake (on-missing: pause): {why}. Look at the host, then " +
                $"'downshift resume {recorder.RunId}' (watches again) or 'downshift rollback {recorder.RunId}'");
    }

    /// <summary>A resumed run's baseline, from the samples journaled when it was recorded.</summary>
    private async Task<Baseline?> LoadBaselineAsync(CancellationToken cancellationToken)
    {
        var series = (await new MetricJournal(recorder.Journal, Time).ReadAsync(recorder.RunId, MetricJournal.BaselineStage, cancellationToken))
            .Where(s => s.Host == Host)
            .ToList();
        var points = series.SelectMany(s => s.Points).ToList();
        return points.Count == 0 ? null : Baseline.From(series, points.Min(p => p.Time), points.Max(p => p.Time));
    }

    private MetricMonitor Monitor(Func<MonitorBatch, CancellationToken, Task> onBatch) =>
        new(plan.ForHost(Host, text => HostPlaceholders.Expand(text, target)), [transport], Time) { OnBatch = onBatch };

    private MetricJournalWriter Writer(string stage) => new(recorder.Journal, recorder.RunId, recorder.Operator, stage, Time);

    private static IReadOnlyList<MetricSeries> Since(IReadOnlyList<MetricSeries> series, DateTimeOffset start) =>
        [.. series.Select(s => s with { Points = [.. s.Points.Where(p => p.Time >= start)] })];

    /// <summary>The rule, the values that tripped it and the baseline, for the journal's data column (the report reads it).</summary>
    private static string Describe(TriggerRule rule, RuleEvaluation evaluation) => System.Text.Json.JsonSerializer.Serialize(new
    {
        rule = rule.Text,
        host = evaluation.Host,
        values = evaluation.Values.Select(p => new { time = p.Time, value = p.Value, error = p.Error }),
        baseline = evaluation.BaselineValue,
        explanation = evaluation.Explanation,
    });

    private static string Summary(Baseline baseline) =>
        string.Join("; ", baseline.Metrics
            .Where(m => m.SampleCount > 0)
            .Select(m => $"{m.Metric} mean {Number(m.Mean)} p95 {Number(m.P95)}") is var parts && parts.Any()
            ? parts
            : ["no samples"]);

    private static string Number(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-";

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s";
}
