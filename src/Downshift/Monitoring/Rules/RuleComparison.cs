namespace Downshift.Monitoring.Rules;

/// <summary>How a rule compares a sample with its threshold.</summary>
public enum RuleComparison
{
    /// <summary><c>&gt;</c></summary>
    GreaterThan,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,

    /// <summary><c>&lt;</c></summary>
    LessThan,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
}

/// <summary>The symbol of a comparison and the test it stands for.</summary>
public static class RuleComparisons
{
    /// <summary>The symbol as written in a rule: <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>.</summary>
    public static string Symbol(this RuleComparison comparison) => comparison switch
    {
        RuleComparison.GreaterThan => ">",
        RuleComparison.GreaterOrEqual => ">=",
        RuleComparison.LessThan => "<",
        RuleComparison.LessOrEqual => "<=",
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, null),
    };

    /// <summary>True when <paramref name="value"/> stands to <paramref name="threshold"/> as the comparison says.</summary>
    public static bool Holds(this RuleComparison comparison, double value, double threshold) => comparison switch
    {
        RuleComparison.GreaterThan => value > threshold,
        RuleComparison.GreaterOrEqual => value >= threshold,
        RuleComparison.LessThan => value < threshold,
        RuleComparison.LessOrEqual => value <= threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, null),
    };

    internal static RuleComparison? FromSymbol(string symbol) => symbol switch
    {
        ">" => RuleComparison.GreaterThan,
        ">=" => RuleComparison.GreaterOrEqual,
        "<" => RuleComparison.LessThan,
        "<=" => RuleComparison.LessOrEqual,
        _ => null,
    };
}
