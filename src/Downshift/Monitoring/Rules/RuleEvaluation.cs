namespace Downshift.Monitoring.Rules;

/// <summary>
/// What one rule says about one host now. <see cref="Values"/> are the samples the verdict rests on
/// (the rule's window, oldest first); <see cref="BaselineValue"/> is the host's baseline statistic of the
/// metric when there is one (for a relative rule the threshold is derived from it);
/// <see cref="Explanation"/> is one line for the terminal, the journal and the report, e.g.
/// <c>h1 http.checkout.error_rate 0.42 &gt; 0.01 for 30s (7 samples 12:00:01–12:00:31; baseline p95 0.00)</c>.
/// </summary>
public sealed record RuleEvaluation(
    RuleVerdict Verdict,
    string Host,
    IReadOnlyList<MetricPoint> Values,
    double? BaselineValue,
    string Explanation);
