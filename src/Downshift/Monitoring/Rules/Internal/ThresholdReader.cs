using System.Globalization;
using System.Text.RegularExpressions;

namespace Downshift.Monitoring.Rules.Internal;

/// <summary>
/// Reads a rule's threshold: <c>90</c>, <c>0.5</c>, <c>1%</c> (what a percentage means depends on the
/// metric's unit), or <c>FACTOR x baseline[.p95|.mean]</c> (<c>x</c>, <c>X</c> or <c>×</c>, spaced or not).
/// </summary>
internal static partial class ThresholdReader
{
    public static RuleThreshold? Read(
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
            var column = at < tokens.Count ? tokens[at].Column : tokens[at - 1].End;
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
