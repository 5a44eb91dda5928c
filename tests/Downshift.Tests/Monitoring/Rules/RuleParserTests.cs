using Downshift.Monitoring.Rules;
using Downshift.Plans;

namespace Downshift.Tests.Monitoring.Rules;

public sealed class RuleParserTests
{
    [Fact]
    public void Parse_ErrorRateInPercent_IsAFractionForThirtySeconds()
    {
        // Given a rate rule with a percentage
        // When
        var rule = Valid("http.checkout.error_rate > 1% for 30s");

        // Then 1% of a 0..1 rate is 0.01, the window 30 s, on-missing left to the plan
        Assert.Equal("http.checkout.error_rate", rule.Metric);
        Assert.Equal("checkout", rule.ProbeName);
        Assert.Equal(RuleComparison.GreaterThan, rule.Comparison);
        Assert.Equal(new AbsoluteThreshold(0.01), rule.Threshold);
        Assert.Equal(TimeSpan.FromSeconds(30), rule.For);
        Assert.Null(rule.OnMissing);
    }

    [Theory]
    [InlineData("http.checkout.latency_p95_ms > 1.5 x baseline for 1m", BaselineStatistic.P95)]
    [InlineData("http.checkout.latency_p95_ms > 1.5 × baseline for 1m", BaselineStatistic.P95)]
    [InlineData("http.checkout.latency_p95_ms > 1.5×baseline.p95 for 1m", BaselineStatistic.P95)]
    [InlineData("http.checkout.latency_p95_ms > 1.5x baseline.mean for 1m", BaselineStatistic.Mean)]
    [InlineData("http.checkout.latency_p95_ms > 1.5 X baseline.mean for 1m", BaselineStatistic.Mean)]
    public void Parse_RelativeThreshold_NamesFactorAndStatistic(string text, BaselineStatistic statistic)
    {
        // Given a rule relative to the baseline, written with x, X or ×, spaced or not
        // When
        var rule = Valid(text);

        // Then the factor and the statistic (p95 when not said) are explicit
        Assert.Equal(new RelativeThreshold(1.5, statistic), rule.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(1), rule.For);
    }

    [Theory]
    [InlineData("cpu.percent > 90 for 1m", 90.0)]
    [InlineData("cpu.percent > 90% for 1m", 90.0)]
    [InlineData("memory.percent >= 95", 95.0)]
    public void Parse_PercentMetric_NumberAndPercentageMeanTheSame(string text, double threshold)
    {
        // Given a *.percent metric  When parsed
        var rule = Valid(text);

        // Then its threshold is in percent, with or without the sign
        Assert.Equal(new AbsoluteThreshold(threshold), rule.Threshold);
    }

    [Fact]
    public void Parse_MemoryWithoutFor_JudgesOneSample()
    {
        var rule = Valid("memory.percent > 95");

        Assert.Equal(TimeSpan.Zero, rule.For);
        Assert.Null(rule.ProbeName);
    }

    [Fact]
    public void Parse_LogRate_NamesTheLogProbe()
    {
        var rule = Valid("log.app-errors.per_minute > 5 for 2m");

        Assert.Equal("app-errors", rule.ProbeName);
        Assert.Equal(new AbsoluteThreshold(5), rule.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(2), rule.For);
    }

    [Fact]
    public void Parse_PrometheusQuery_NamesTheQueryAndTakesOnMissing()
    {
        var rule = Valid("prom.5xx_rate > 0.5 for 30s on-missing: rollback");

        Assert.Equal("prom.5xx_rate", rule.Metric);
        Assert.Equal("5xx_rate", rule.ProbeName);
        Assert.Equal(new AbsoluteThreshold(0.5), rule.Threshold);
        Assert.Equal(MissingDataPolicy.Rollback, rule.OnMissing);
    }

    [Theory]
    [InlineData("cpu.percent < 5", RuleComparison.LessThan)]
    [InlineData("cpu.percent <= 5", RuleComparison.LessOrEqual)]
    [InlineData("cpu.percent>=5", RuleComparison.GreaterOrEqual)]
    [InlineData("cpu.percent >5 on-missing:pause", RuleComparison.GreaterThan)]
    public void Parse_EveryComparison_IsRead(string text, RuleComparison comparison) =>
        Assert.Equal(comparison, Valid(text).Comparison);

    [Fact]
    public void Parse_OnMissingPause_IsKept()
    {
        var rule = Valid("http.api.requests_per_s < 0.5 x baseline.mean for 1m30s on-missing: pause");

        Assert.Equal(MissingDataPolicy.Pause, rule.OnMissing);
        Assert.Equal(TimeSpan.FromSeconds(90), rule.For);
        Assert.Equal("http.api.requests_per_s < 0.5 x baseline.mean for 1m30s on-missing: pause", rule.ToString());
    }

    [Theory]
    [InlineData("http.checkout.latency > 100", 1, "unknown metric 'http.checkout.latency'")]
    [InlineData("disk.busy > 100", 1, "unknown metric 'disk.busy'")]
    [InlineData("cpu.percent > 9o for 1m", 15, "bad number '9o'")]
    [InlineData("cpu.percent 90 for 1m", 13, "missing comparison before '90'")]
    [InlineData("cpu.percent == 90", 13, "unknown comparison '=='")]
    [InlineData("cpu.percent > 90 for 30x", 22, "bad duration '30x'")]
    [InlineData("cpu.percent > 90 for", 21, "missing duration after 'for'")]
    [InlineData("cpu.percent >", 14, "missing threshold")]
    [InlineData("prom.errors > 5% for 1m", 15, "a percentage does not fit prom.errors")]
    [InlineData("http.shop.error_rate > 5", 24, "is a rate from 0 to 1: write 5% or 0.05")]
    [InlineData("http.shop.latency_p95_ms > 0 x baseline", 28, "bad factor '0'")]
    [InlineData("http.shop.latency_p95_ms > 2 x baseline.p99", 32, "unknown baseline 'baseline.p99'")]
    [InlineData("http.shop.latency_p95_ms > 2 x", 31, "expected 'baseline'")]
    [InlineData("cpu.percent > 90 on-missing: ignore", 30, "unknown on-missing 'ignore'")]
    [InlineData("cpu.percent > 90 during 1m", 18, "unexpected 'during'")]
    [InlineData("cpu.percent > 90 for 0s", 22, "must be above 0")]
    [InlineData("  ", 1, "empty rule")]
    public void Parse_Mistake_ReportsItAtItsColumn(string text, int column, string message)
    {
        // Given a rule with one mistake
        // When
        var result = RuleParser.Parse(text);

        // Then there is no rule and one error, where the mistake stands
        Assert.False(result.IsValid);
        Assert.Null(result.Rule);
        var error = Assert.Single(result.Errors);
        Assert.Equal(column, error.Column);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOne()
    {
        // Given an unknown metric, a missing comparison and a bad duration
        // When
        var result = RuleParser.Parse("http.x.latency 9o for 1y");

        // Then each is reported at its own column, not only the first
        Assert.Equal(
            [(1, "unknown metric"), (16, "missing comparison"), (16, "bad number"), (23, "bad duration")],
            result.Errors.Select(e => (e.Column, e.Message.Split(' ')[0] + " " + e.Message.Split(' ')[1])));
    }

    [Fact]
    public void In_RuleInAPlan_PlacesTheErrorAtPlanLineAndColumn()
    {
        // Given a rule whose text starts at plan.yaml:12:9 and has a bad duration at its column 22
        var error = Assert.Single(RuleParser.Parse("cpu.percent > 90 for 30x").Errors);

        // When
        var location = error.In(new SourceLocation("plan.yaml", 12, 9, "monitor.triggers[0]"));

        // Then it is reported as PLAN:LINE:COL of the bad token
        Assert.Equal("plan.yaml:12:30", location.ToString());
        Assert.Equal("monitor.triggers[0]", location.YamlPath);
    }

    private static TriggerRule Valid(string text)
    {
        var result = RuleParser.Parse(text);
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        return result.Rule!;
    }
}
