using Downshift.Monitoring;
using Downshift.Monitoring.Rules;

namespace Downshift.Tests.Monitoring.Rules;

public sealed class TriggerRuleTests
{
    private const string ErrorRate = "http.checkout.error_rate";
    private const string Latency = "http.checkout.latency_p95_ms";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_ConditionHeldOneSampleShortOfTheWindow_IsHealthyNotYet()
    {
        // Given error rates sampled every second, above 1% from 12:00:10 on, up to 12:00:39
        var rule = Rule($"{ErrorRate} > 1% for 30s");
        var series = Series("h1", ErrorRate, [.. Repeat(0.0, 10), .. Repeat(0.42, 30)]);

        // When judged at 12:00:39 (the condition has held 29 s)
        var result = Assert.Single(rule.Evaluate([series], null, At(39)));

        // Then it has not tripped, and says since when it holds
        Assert.Equal(RuleVerdict.Healthy, result.Verdict);
        Assert.Equal(
            "h1 http.checkout.error_rate 0.42 > 0.01 for 30s: not yet, holds since 12:00:10 (31 samples 12:00:09–12:00:39)",
            result.Explanation);
    }

    [Fact]
    public void Evaluate_ConditionHeldExactlyTheWindow_Trips()
    {
        // Given the same, one second later: the condition has held from 12:00:10 to 12:00:40
        var rule = Rule($"{ErrorRate} > 1% for 30s");
        var series = Series("h1", ErrorRate, [.. Repeat(0.0, 10), .. Repeat(0.42, 31)]);

        // When
        var result = Assert.Single(rule.Evaluate([series], null, At(40)));

        // Then it trips, and the values it rests on are the 31 samples of the window
        Assert.Equal(RuleVerdict.Tripped, result.Verdict);
        Assert.Equal(31, result.Values.Count);
        Assert.Equal(At(10), result.Values[0].Time);
        Assert.All(result.Values, p => Assert.Equal(0.42, p.Value));
    }

    [Fact]
    public void Evaluate_Tripped_ExplainsHostMetricValuesWindowAndBaseline()
    {
        // Given samples every 5 s, 12:00:01–12:00:31, all at 0.42, and a baseline p95 of 0
        var rule = Rule($"{ErrorRate} > 1% for 30s");
        var points = Enumerable.Range(0, 7).Select(i => new MetricPoint(At(1 + 5 * i), 0.42)).ToList();
        var baseline = new Baseline { [("h1", ErrorRate, "p95")] = 0.0 };

        // When judged at the last sample
        var result = Assert.Single(rule.Evaluate([new MetricSeries("h1", ErrorRate, points)], baseline, At(31)));

        // Then one grep-able line says it all
        Assert.Equal(RuleVerdict.Tripped, result.Verdict);
        Assert.Equal(0.0, result.BaselineValue);
        Assert.Equal(
            "h1 http.checkout.error_rate 0.42 > 0.01 for 30s (7 samples 12:00:01–12:00:31; baseline p95 0.00)",
            result.Explanation);
    }

    [Fact]
    public void Evaluate_GapInTheWindow_IsInconclusive()
    {
        // Given tripping values every second, but nothing from 12:00:20 to 12:00:25
        var rule = Rule($"{ErrorRate} > 1% for 30s");
        var points = Enumerable.Range(0, 41).Where(s => s is <= 20 or >= 25).Select(s => new MetricPoint(At(s), 0.5)).ToList();

        // When
        var result = Assert.Single(rule.Evaluate([new MetricSeries("h1", ErrorRate, points)], null, At(40)));

        // Then the window is not covered: inconclusive, not tripped, and the gap is named
        Assert.Equal(RuleVerdict.Inconclusive, result.Verdict);
        Assert.Contains("inconclusive, gap of 5s 12:00:20–12:00:25 (more than 2 intervals of 1s)", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LatestSampleStale_IsInconclusive()
    {
        // Given samples every second that stopped at 12:00:30
        var rule = Rule("cpu.percent > 90 for 10s");
        var series = Series("h1", "cpu.percent", Repeat(20.0, 31));

        // When judged at 12:00:40
        var result = Assert.Single(rule.Evaluate([series], null, At(40)));

        // Then it cannot tell how the host is now
        Assert.Equal(RuleVerdict.Inconclusive, result.Verdict);
        Assert.Contains("latest sample 10s old", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MissingSample_IsInconclusiveWithTheProbeError()
    {
        // Given a window of low error rates in which one probe timed out
        var rule = Rule($"{ErrorRate} > 1% for 10s");
        var points = Enumerable.Range(0, 11).Select(s => new MetricPoint(At(s), s == 5 ? null : 0.0, s == 5 ? "timeout after 2s" : null)).ToList();

        // When
        var result = Assert.Single(rule.Evaluate([new MetricSeries("h1", ErrorRate, points)], null, At(10)));

        // Then missing data is never healthy, even though the other samples are fine
        Assert.Equal(RuleVerdict.Inconclusive, result.Verdict);
        Assert.Equal(
            "h1 http.checkout.error_rate 0.00 > 0.01 for 10s: inconclusive, 1 of 11 samples missing (last error: timeout after 2s) (11 samples 12:00:00–12:00:10)",
            result.Explanation);
    }

    [Fact]
    public void Evaluate_LatestSampleMissingOrNaN_IsInconclusive()
    {
        // Given a rule on the latest sample alone, which is NaN (as Prometheus can return)
        var rule = Rule("prom.up < 1");
        var series = Series("h1", "prom.up", [1, 1, double.NaN]);

        // When
        var result = Assert.Single(rule.Evaluate([series], null, At(2)));

        // Then
        Assert.Equal(RuleVerdict.Inconclusive, result.Verdict);
        Assert.StartsWith("h1 prom.up missing < 1: inconclusive, 1 of 1 samples missing", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_WindowNotCoveredYet_IsInconclusive()
    {
        // Given 20 s of tripping values and a 30 s rule
        var rule = Rule("cpu.percent > 90 for 30s");
        var series = Series("h1", "cpu.percent", Repeat(99.0, 21));

        // When
        var result = Assert.Single(rule.Evaluate([series], null, At(20)));

        // Then it has not seen enough to trip, nor to call it healthy
        Assert.Equal(RuleVerdict.Inconclusive, result.Verdict);
        Assert.Contains("window not covered yet: samples start at 12:00:00, the rule needs one at or before 11:59:50", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_RelativeWithBaseline_TripsAgainstFactorTimesP95()
    {
        // Given p95 latency of 412 ms for a minute and a baseline p95 of 200 ms
        var rule = Rule($"{Latency} > 1.5 x baseline for 1m");
        var series = Series("h1", Latency, Repeat(412.0, 61));
        var baseline = new Baseline { [("h1", Latency, "p95")] = 200, [("h1", Latency, "mean")] = 150 };

        // When
        var result = Assert.Single(rule.Evaluate([series], baseline, At(60)));

        // Then the threshold is 1.5 × 200 = 300, and the line shows how it was derived
        Assert.Equal(RuleVerdict.Tripped, result.Verdict);
        Assert.Equal(200, result.BaselineValue);
        Assert.Equal(
            "h1 http.checkout.latency_p95_ms 412 > 300 (1.5 x baseline.p95) for 1m (61 samples 12:00:00–12:01:00; baseline p95 200)",
            result.Explanation);
    }

    [Fact]
    public void Evaluate_RelativeToMean_AsksTheBaselineForTheMean()
    {
        // Given a throughput rule against the baseline's mean of 100 requests/s
        var rule = Rule("http.checkout.requests_per_s < 0.5 x baseline.mean for 5s");
        var series = Series("h1", "http.checkout.requests_per_s", Repeat(60.0, 6));
        var baseline = new Baseline { [("h1", "http.checkout.requests_per_s", "mean")] = 100 };

        // When
        var result = Assert.Single(rule.Evaluate([series], baseline, At(5)));

        // Then 60 is not below 50: healthy
        Assert.Equal(RuleVerdict.Healthy, result.Verdict);
        Assert.Equal("h1 http.checkout.requests_per_s 60 not < 50 (0.5 x baseline.mean) for 5s (6 samples 12:00:00–12:00:05; baseline mean 100)", result.Explanation);
    }

    [Fact]
    public void Evaluate_RelativeWithoutBaseline_IsInconclusive()
    {
        // Given a relative rule, high latencies, and no baseline (or none for this host)
        var rule = Rule($"{Latency} > 1.5 x baseline for 10s");
        var series = Series("h1", Latency, Repeat(9000.0, 11));

        // When
        var none = Assert.Single(rule.Evaluate([series], null, At(10)));
        var otherHost = Assert.Single(rule.Evaluate([series], new Baseline { [("h2", Latency, "p95")] = 200 }, At(10)));

        // Then it cannot judge: inconclusive, and says why
        Assert.All([none, otherHost], result =>
        {
            Assert.Equal(RuleVerdict.Inconclusive, result.Verdict);
            Assert.Null(result.BaselineValue);
            Assert.Equal(
                "h1 http.checkout.latency_p95_ms 9000 > 1.5 x baseline.p95 for 10s: inconclusive, no baseline p95 for h1 http.checkout.latency_p95_ms (11 samples 12:00:00–12:00:10)",
                result.Explanation);
        });
    }

    [Theory]
    [InlineData("cpu.percent > 90", 95.0, RuleVerdict.Tripped)]
    [InlineData("cpu.percent > 90%", 89.9, RuleVerdict.Healthy)]
    [InlineData("http.checkout.error_rate > 1%", 0.5, RuleVerdict.Tripped)]
    [InlineData("http.checkout.error_rate > 1%", 0.005, RuleVerdict.Healthy)]
    [InlineData("http.checkout.error_rate >= 0.01", 0.01, RuleVerdict.Tripped)]
    public void Evaluate_Percentages_MeanTheMetricsUnit(string text, double latest, RuleVerdict expected)
    {
        // Given a rule with a percentage and a latest sample in the metric's own unit
        var rule = Rule(text);
        var series = Series("h1", rule.Metric, [latest, latest]);

        // When  Then
        Assert.Equal(expected, Assert.Single(rule.Evaluate([series], null, At(1))).Verdict);
    }

    [Fact]
    public void Evaluate_NoFor_JudgesTheLatestSampleAlone()
    {
        // Given memory that was at 97% and is now at 50%
        var rule = Rule("memory.percent > 95");
        var series = Series("h1", "memory.percent", [97, 97, 50]);

        // When
        var result = Assert.Single(rule.Evaluate([series], null, At(2)));

        // Then only the latest counts
        Assert.Equal(RuleVerdict.Healthy, result.Verdict);
        Assert.Equal("h1 memory.percent 50 not > 95 (1 sample 12:00:02)", result.Explanation);
    }

    [Fact]
    public void Evaluate_OneSample_NeedsTheIntervalToJudgeItsAge()
    {
        // Given a single sample
        var rule = Rule("memory.percent > 95");
        var series = Series("h1", "memory.percent", [97]);

        // When judged without and with the sampling interval
        var unknown = Assert.Single(rule.Evaluate([series], null, At(0)));
        var known = Assert.Single(rule.Evaluate([series], null, At(0), interval: TimeSpan.FromSeconds(1)));

        // Then without it the age of the sample cannot be judged; with it the sample decides
        Assert.Equal(RuleVerdict.Inconclusive, unknown.Verdict);
        Assert.Contains("the sampling interval is not known", unknown.Explanation, StringComparison.Ordinal);
        Assert.Equal(RuleVerdict.Tripped, known.Verdict);
    }

    [Fact]
    public void Evaluate_SeveralHosts_JudgesEachAloneAndAHostWithoutSamplesIsInconclusive()
    {
        // Given h1 over the limit, h2 under it, h3 with no series, and another metric that does not count
        var rule = Rule("cpu.percent > 90 for 2s");
        IReadOnlyList<MetricSeries> series =
        [
            Series("h2", "cpu.percent", [10, 10, 10]),
            Series("h1", "cpu.percent", [95, 95, 95]),
            Series("h3", "memory.percent", [99, 99, 99]),
        ];

        // When
        var results = rule.Evaluate(series, null, At(2), hosts: ["h1", "h2", "h3"]);

        // Then one verdict per host, in host order
        Assert.Equal(
            [("h1", RuleVerdict.Tripped), ("h2", RuleVerdict.Healthy), ("h3", RuleVerdict.Inconclusive)],
            results.Select(r => (r.Host, r.Verdict)));
        Assert.Equal("h3 cpu.percent missing > 90 for 2s: inconclusive, no samples (no samples)", results[2].Explanation);
    }

    [Fact]
    public void Evaluate_SamplesAfterNow_AreNotUsed()
    {
        // Given a sample stamped after the evaluation time
        var rule = Rule("cpu.percent > 90");
        var series = Series("h1", "cpu.percent", [10, 10, 99]);

        // When judged at 12:00:01
        var result = Assert.Single(rule.Evaluate([series], null, At(1)));

        // Then the future sample does not count
        Assert.Equal(RuleVerdict.Healthy, result.Verdict);
    }

    private static TriggerRule Rule(string text) => RuleParser.Parse(text).Rule ?? throw new InvalidOperationException(text);

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    private static IEnumerable<double> Repeat(double value, int count) => Enumerable.Repeat(value, count);

    /// <summary>One sample a second from 12:00:00; NaN stands for a missing sample.</summary>
    private static MetricSeries Series(string host, string metric, IEnumerable<double> values) =>
        new(host, metric, [.. values.Select((v, i) => new MetricPoint(At(i), v))]);

    private sealed class Baseline : Dictionary<(string Host, string Metric, string Statistic), double>, IBaselineValues
    {
        public double? Get(string host, string metric, string statistic) =>
            TryGetValue((host, metric, statistic), out var value) ? value : null;
    }
}
