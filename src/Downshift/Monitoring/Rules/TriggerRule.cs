using Downshift.Monitoring.Rules.Internal;

namespace Downshift.Monitoring.Rules;

/// <summary>
/// A declared rollback trigger (E8), parsed by <see cref="RuleParser"/>: while <see cref="Metric"/> stands
/// to <see cref="Threshold"/> as <see cref="Comparison"/> says, for every sample of <see cref="For"/>,
/// the rule trips. Missing or stale samples make it <see cref="RuleVerdict.Inconclusive"/>, never healthy.
/// </summary>
public sealed record TriggerRule
{
    /// <summary>The rule as written (trimmed).</summary>
    public required string Text { get; init; }

    /// <summary>The metric watched, e.g. <c>http.checkout.error_rate</c> (see <see cref="MetricSeries"/>).</summary>
    public required string Metric { get; init; }

    /// <summary>The probe the metric names (<c>checkout</c> in <c>http.checkout.error_rate</c>), for the plan to check it is declared; null for host metrics.</summary>
    public string? ProbeName { get; init; }

    public required RuleComparison Comparison { get; init; }

    public required RuleThreshold Threshold { get; init; }

    /// <summary>How long the condition must hold; <see cref="TimeSpan.Zero"/>: the latest sample alone decides.</summary>
    public TimeSpan For { get; init; }

    /// <summary>The rule's own <c>on-missing:</c>; null: the plan's default.</summary>
    public MissingDataPolicy? OnMissing { get; init; }

    /// <summary>
    /// Judges every host that has a series of <see cref="Metric"/> in <paramref name="series"/>, and every
    /// host in <paramref name="hosts"/> (one without a series is inconclusive: "no samples").
    /// <paramref name="interval"/> is the sampling interval; when null it is the median spacing of each host's samples.
    /// </summary>
    public IReadOnlyList<RuleEvaluation> Evaluate(
        IReadOnlyList<MetricSeries> series,
        IBaselineValues? baseline,
        DateTimeOffset now,
        TimeSpan? interval = null,
        IEnumerable<string>? hosts = null)
    {
        var byHost = series
            .Where(s => s.Metric == Metric)
            .GroupBy(s => s.Host, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Points).ToList(), StringComparer.Ordinal);
        var names = byHost.Keys.Concat(hosts ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return [.. names.Select(host => EvaluateHost(host, byHost.GetValueOrDefault(host) ?? [], baseline, now, interval))];
    }

    /// <summary>Judges one host's samples of <see cref="Metric"/> (any order) at <paramref name="now"/>.</summary>
    public RuleEvaluation EvaluateHost(
        string host, IReadOnlyList<MetricPoint> points, IBaselineValues? baseline, DateTimeOffset now, TimeSpan? interval = null)
    {
        var statistic = (Threshold as RelativeThreshold)?.Statistic ?? BaselineStatistic.P95;
        var baselineValue = baseline?.Get(host, Metric, statistic.Name()) is { } b && double.IsFinite(b) ? b : (double?)null;
        double? threshold = Threshold switch
        {
            AbsoluteThreshold absolute => absolute.Value,
            RelativeThreshold relative => relative.Factor * baselineValue,
            _ => throw new InvalidOperationException($"unknown threshold {Threshold}"),
        };

        var window = RuleWindow.Select(points, now, For, interval);
        var problems = window.Problems.ToList();
        if (threshold is null)
        {
            problems.Insert(0, $"no baseline {statistic.Name()} for {host} {Metric}");
        }

        var samples = window.Samples;
        var verdict = problems.Count > 0
            ? RuleVerdict.Inconclusive
            : samples.All(p => Comparison.Holds(p.Value!.Value, threshold!.Value)) ? RuleVerdict.Tripped : RuleVerdict.Healthy;
        var explanation = Explain(host, verdict, samples, problems, threshold, baselineValue, statistic);
        return new RuleEvaluation(verdict, host, samples, baselineValue, explanation);
    }

    /// <summary>The rule in its canonical form: <c>cpu.percent &gt; 90 for 1m on-missing: pause</c>.</summary>
    public override string ToString()
    {
        var threshold = Threshold switch
        {
            AbsoluteThreshold absolute => RuleText.Plain(absolute.Value),
            RelativeThreshold relative => $"{RuleText.Plain(relative.Factor)} x baseline.{relative.Statistic.Name()}",
            _ => Threshold.ToString(),
        };
        var window = For > TimeSpan.Zero ? $" for {RuleText.Duration(For)}" : "";
        var onMissing = OnMissing is { } policy ? $" on-missing: {policy.ToString().ToLowerInvariant()}" : "";
        return $"{Metric} {Comparison.Symbol()} {threshold}{window}{onMissing}";
    }

    private string Explain(
        string host, RuleVerdict verdict, IReadOnlyList<MetricPoint> samples, List<string> problems,
        double? threshold, double? baselineValue, BaselineStatistic statistic)
    {
        var latest = samples.Count > 0 && RuleWindow.IsKnown(samples[^1]) ? RuleText.Number(samples[^1].Value!.Value) : "missing";
        var limit = (Threshold, threshold) switch
        {
            (RelativeThreshold relative, { } value) => $"{RuleText.Number(value)} ({RuleText.Plain(relative.Factor)} x baseline.{statistic.Name()})",
            (RelativeThreshold relative, null) => $"{RuleText.Plain(relative.Factor)} x baseline.{statistic.Name()}",
            (_, { } value) => RuleText.Number(value),
            _ => "?",
        };
        var condition = $"{Comparison.Symbol()} {limit}" + (For > TimeSpan.Zero ? $" for {RuleText.Duration(For)}" : "");
        var counted = samples.Count switch
        {
            0 => "no samples",
            1 => $"1 sample {RuleText.Time(samples[0].Time)}",
            _ => $"{samples.Count} samples {RuleText.Time(samples[0].Time)}–{RuleText.Time(samples[^1].Time)}",
        };
        var details = baselineValue is { } b ? $"({counted}; baseline {statistic.Name()} {RuleText.Number(b)})" : $"({counted})";
        var head = $"{host} {Metric} {latest}";
        return verdict switch
        {
            RuleVerdict.Tripped => $"{head} {condition} {details}",
            RuleVerdict.Inconclusive => $"{head} {condition}: inconclusive, {string.Join("; ", problems)} {details}",
            _ when !Comparison.Holds(samples[^1].Value!.Value, threshold!.Value) => $"{head} not {condition} {details}",
            _ => $"{head} {condition}: not yet, holds since {RuleText.Time(HoldsSince(samples, threshold!.Value))} {details}",
        };
    }

    private DateTimeOffset HoldsSince(IReadOnlyList<MetricPoint> samples, double threshold)
    {
        var first = samples.Count - 1;
        while (first > 0 && Comparison.Holds(samples[first - 1].Value!.Value, threshold))
        {
            first--;
        }

        return samples[first].Time;
    }
}
