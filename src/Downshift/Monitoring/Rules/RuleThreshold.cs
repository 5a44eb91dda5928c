namespace Downshift.Monitoring.Rules;

/// <summary>What a rule compares its samples with: a fixed number, or a multiple of the host's baseline.</summary>
public abstract record RuleThreshold;

/// <summary>
/// A fixed threshold in the metric's own unit. A percentage is already converted: <c>1%</c> on a rate
/// (<c>http.NAME.error_rate</c>, 0..1) is 0.01; on a <c>*.percent</c> metric <c>90%</c> and <c>90</c> are both 90.
/// </summary>
public sealed record AbsoluteThreshold(double Value) : RuleThreshold;

/// <summary><c>FACTOR x baseline.STATISTIC</c>: the host's baseline value of the same metric, times the factor.</summary>
public sealed record RelativeThreshold(double Factor, BaselineStatistic Statistic) : RuleThreshold;

/// <summary>Which value of a host's baseline a relative rule is measured against.</summary>
public enum BaselineStatistic
{
    /// <summary><c>baseline.p95</c> (the default for <c>baseline</c> alone): the 95th percentile of the baseline's samples.</summary>
    P95,

    /// <summary><c>baseline.mean</c>: the mean of the baseline's samples.</summary>
    Mean,
}

/// <summary>The names of the baseline statistics, as written in rules and asked of <see cref="IBaselineValues"/>.</summary>
public static class BaselineStatistics
{
    /// <summary><c>p95</c> or <c>mean</c>.</summary>
    public static string Name(this BaselineStatistic statistic) => statistic switch
    {
        BaselineStatistic.P95 => "p95",
        BaselineStatistic.Mean => "mean",
        _ => throw new ArgumentOutOfRangeException(nameof(statistic), statistic, null),
    };
}
