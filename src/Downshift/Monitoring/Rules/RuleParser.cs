using System.Globalization;
using System.Text.RegularExpressions;
using Downshift.Monitoring.Rules.Internal;
using Downshift.Plans.Internal;

namespace Downshift.Monitoring.Rules;

/// <summary>
/// Parses one trigger rule (grammar and examples in <c>Monitoring/Rules/README.md</c>):
/// <c>METRIC OP THRESHOLD [for DURATION] [on-missing: rollback|pause]</c>, e.g.
/// <c>http.checkout.latency_p95_ms &gt; 1.5 x baseline.p95 for 1m</c>. Reports every error it finds,
/// each at its column.
/// </summary>
public static partial class RuleParser
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
        var threshold = ReadThreshold(tokens, ref at, errors, text.Length, metric, unit);
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

    private static RuleThreshold? ReadThreshold(
        List<Token> tokens, ref int at, List<RuleError> errors, int textLength, string? metric, MetricUnit unit)
    {
        if (at >= tokens.Count || tokens[at].Kind != TokenKind.Word || tokens[at].Text is "for")
        {
            var column = at < tokens.Count ? tokens[at].Column : textLength + 1;
            errors.Add(new RuleError(column, "missing threshold: a number (90, 0.5), a percentage (1%) or FACTOR x baseline.p95"));
            return null;
        }

        var token = tokens[at++];
        var word = token.Text;
        var relative = TimesSuffix().Match(word);
        if (relative.Success || at < tokens.Count && IsTimes(tokens[at]))
        {
            if (!relative.Success)
            {
                at++; // the separate x or ×
            }

            return ReadRelative(tokens, ref at, errors, relative.Success ? relative.Groups[1].Value : word, token);
        }

        var percent = word.EndsWith('%');
        var number = percent ? word[..^1] : word;
        if (!TryNumber(number, out var value))
        {
            errors.Add(new RuleError(token.Column, $"bad number '{word}': write 90, 0.5, 1% or 1.5 x baseline.p95"));
            return null;
        }

        return (percent, unit) switch
        {
            (true, MetricUnit.Fraction) => new AbsoluteThreshold(value / 100),
            (true, MetricUnit.Percent) => new AbsoluteThreshold(value),
            (true, _) when metric is not null => Error(
                $"a percentage does not fit {metric}: only rates (http.NAME.error_rate) and *.percent metrics take one; write the number in the metric's unit"),
            (false, MetricUnit.Fraction) when value is < 0 or > 1 => Error(
                $"{metric} is a rate from 0 to 1: write {word}% or {(value / 100).ToString(CultureInfo.InvariantCulture)}"),
            _ => new AbsoluteThreshold(value),
        };

        RuleThreshold? Error(string message)
        {
            errors.Add(new RuleError(token.Column, message));
            return null;
        }
    }

    private static RelativeThreshold? ReadRelative(List<Token> tokens, ref int at, List<RuleError> errors, string factorText, Token factorToken)
    {
        RelativeThreshold? threshold = null;
        var factorOk = TryNumber(factorText, out var factor) && factor > 0;
        if (!factorOk)
        {
            errors.Add(new RuleError(factorToken.Column, $"bad factor '{factorText}': write a number above 0, e.g. 1.5 x baseline.p95"));
        }

        if (at >= tokens.Count || tokens[at].Kind != TokenKind.Word || !tokens[at].Text.StartsWith("baseline", StringComparison.Ordinal))
        {
            var column = at < tokens.Count ? tokens[at].Column : After(tokens[at - 1]);
            errors.Add(new RuleError(column, "expected 'baseline', 'baseline.p95' or 'baseline.mean' after 'x'"));
            return null;
        }

        var token = tokens[at++];
        BaselineStatistic? statistic = token.Text switch
        {
            "baseline" or "baseline.p95" => BaselineStatistic.P95,
            "baseline.mean" => BaselineStatistic.Mean,
            _ => null,
        };
        if (statistic is null)
        {
            errors.Add(new RuleError(token.Column, $"unknown baseline '{token.Text}': baseline.p95 (the default) or baseline.mean"));
        }
        else if (factorOk)
        {
            threshold = new RelativeThreshold(factor, statistic.Value);
        }

        return threshold;
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
            errors.Add(new RuleError(After(keyword), $"missing duration after 'for': {DurationHint}"));
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
            : at < tokens.Count && tokens[at].Kind == TokenKind.Word ? (tokens[at].Text, tokens[at++].Column) : ("", After(keyword));
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

    /// <summary>The column just past a token: where a missing word is reported.</summary>
    private static int After(Token token) => token.Column + token.Text.Length;

    private static bool IsTimes(Token token) => token.Kind == TokenKind.Times || token.Text is "x" or "X";

    private static bool TryNumber(string text, out double value)
    {
        value = 0;
        return Number().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    [GeneratedRegex(@"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")]
    private static partial Regex Number();

    [GeneratedRegex(@"^([0-9.eE+-]+)[xX]$")]
    private static partial Regex TimesSuffix();
}
