using Downshift.Monitoring.Rules.Internal;
using Downshift.Plans.Internal;

namespace Downshift.Monitoring.Rules;

/// <summary>
/// Parses one trigger rule (grammar and examples in <c>Monitoring/Rules/README.md</c>):
/// <c>METRIC OP THRESHOLD [for DURATION] [on-missing: rollback|pause]</c>, e.g.
/// <c>http.checkout.latency_p95_ms &gt; 1.5 x baseline.p95 for 1m</c>. Reports every error it finds,
/// each at its column.
/// </summary>
public static class RuleParser
{
    private const string DurationHint = "write 500ms, 30s, 5m, 1h or 1m30s";

    public static RuleParseResult Parse(string text)
    {
        var tokens = RuleLexer.Split(text);
        var errors = new List<RuleError>();
        if (tokens.Count == 0)
        {
            return new RuleParseResult(null, [new RuleError(1, "empty rule: write METRIC OP THRESHOLD [for DURATION], e.g. cpu.percent > 90 for 1m")]);
        }

        var at = 0;
        var metric = ReadMetric(tokens, ref at, errors, out var unit, out var probeName);
        var comparison = ReadComparison(tokens, ref at, errors, text.Length);
        var threshold = ThresholdReader.Read(tokens, ref at, errors, text.Length, metric, unit);
        var (window, onMissing) = ReadOptions(tokens, ref at, errors);

        if (errors.Count > 0 || metric is null || comparison is null || threshold is null)
        {
            return new RuleParseResult(null, errors);
        }

        var rule = new TriggerRule
        {
            Text = text.Trim(),
            Metric = metric,
            ProbeName = probeName,
            Comparison = comparison.Value,
            Threshold = threshold,
            For = window,
            OnMissing = onMissing,
        };
        return new RuleParseResult(rule, []);
    }

    private static string? ReadMetric(List<Token> tokens, ref int at, List<RuleError> errors, out MetricUnit unit, out string? probeName)
    {
        unit = MetricUnit.Plain;
        probeName = null;
        var token = tokens[at];
        if (token.Kind != TokenKind.Word)
        {
            errors.Add(new RuleError(token.Column, $"expected a metric before '{token.Text}': {MetricShapes.Expected}"));
            return null;
        }

        at++;
        if (!MetricShapes.TryRead(token.Text, out unit, out probeName))
        {
            errors.Add(new RuleError(token.Column, $"unknown metric '{token.Text}': expected {MetricShapes.Expected}"));
            return null;
        }

        return token.Text;
    }

    private static RuleComparison? ReadComparison(List<Token> tokens, ref int at, List<RuleError> errors, int textLength)
    {
        if (at >= tokens.Count)
        {
            errors.Add(new RuleError(textLength + 1, "missing comparison after the metric: >, >=, < or <="));
            return null;
        }

        var token = tokens[at];
        if (token.Kind != TokenKind.Operator)
        {
            // Leave the token where it is: it is most likely the threshold, which is read next.
            errors.Add(new RuleError(token.Column, $"missing comparison before '{token.Text}': >, >=, < or <="));
            return null;
        }

        at++;
        var comparison = RuleComparisons.FromSymbol(token.Text);
        if (comparison is null)
        {
            errors.Add(new RuleError(token.Column, $"unknown comparison '{token.Text}': >, >=, < or <="));
        }

        return comparison;
    }

    private static (TimeSpan For, MissingDataPolicy? OnMissing) ReadOptions(List<Token> tokens, ref int at, List<RuleError> errors)
    {
        TimeSpan? window = null;
        MissingDataPolicy? onMissing = null;
        var seenOnMissing = false;
        while (at < tokens.Count)
        {
            var token = tokens[at++];
            if (token.Text == "for")
            {
                if (window is not null)
                {
                    errors.Add(new RuleError(token.Column, "'for' given twice"));
                }

                window = ReadDuration(tokens, ref at, errors, token);
            }
            else if (token.Text.StartsWith("on-missing", StringComparison.Ordinal))
            {
                if (seenOnMissing)
                {
                    errors.Add(new RuleError(token.Column, "'on-missing:' given twice"));
                }

                seenOnMissing = true;
                onMissing = ReadOnMissing(tokens, ref at, errors, token);
            }
            else
            {
                errors.Add(new RuleError(token.Column,
                    $"unexpected '{token.Text}': after the threshold come 'for DURATION' and 'on-missing: rollback|pause'"));
                while (at < tokens.Count && tokens[at].Text != "for" && !tokens[at].Text.StartsWith("on-missing", StringComparison.Ordinal))
                {
                    at++; // one error for the stray words, not one per word
                }
            }
        }

        return (window ?? TimeSpan.Zero, onMissing);
    }

    private static TimeSpan ReadDuration(List<Token> tokens, ref int at, List<RuleError> errors, Token keyword)
    {
        if (at >= tokens.Count || tokens[at].Kind != TokenKind.Word || tokens[at].Text.StartsWith("on-missing", StringComparison.Ordinal))
        {
            errors.Add(new RuleError(keyword.End, $"missing duration after 'for': {DurationHint}"));
            return TimeSpan.Zero;
        }

        var token = tokens[at++];
        if (!Durations.TryParse(token.Text, out var duration))
        {
            errors.Add(new RuleError(token.Column, $"bad duration '{token.Text}': {DurationHint}"));
        }
        else if (duration <= TimeSpan.Zero)
        {
            errors.Add(new RuleError(token.Column, "the duration must be above 0; leave 'for' out to judge the latest sample alone"));
        }

        return duration;
    }

    private static MissingDataPolicy? ReadOnMissing(List<Token> tokens, ref int at, List<RuleError> errors, Token keyword)
    {
        // "on-missing: pause", "on-missing:pause" and "on-missing pause" are all accepted.
        var inline = keyword.Text["on-missing".Length..].TrimStart(':');
        var (text, column) = inline.Length > 0
            ? (inline, keyword.Column + keyword.Text.Length - inline.Length)
            : at < tokens.Count && tokens[at].Kind == TokenKind.Word ? (tokens[at].Text, tokens[at++].Column) : ("", keyword.End);
        MissingDataPolicy? policy = text switch
        {
            "rollback" => MissingDataPolicy.Rollback,
            "pause" => MissingDataPolicy.Pause,
            _ => null,
        };
        if (policy is null)
        {
            errors.Add(new RuleError(column, text.Length == 0
                ? "missing value after 'on-missing:': rollback or pause"
                : $"unknown on-missing '{text}': rollback or pause"));
        }

        return policy;
    }
}
