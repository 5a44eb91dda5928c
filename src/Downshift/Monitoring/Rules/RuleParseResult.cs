using Downshift.Plans;

namespace Downshift.Monitoring.Rules;

/// <summary>A parsed rule, or every error found in its text (never only the first).</summary>
public sealed record RuleParseResult(TriggerRule? Rule, IReadOnlyList<RuleError> Errors)
{
    public bool IsValid => Rule is not null && Errors.Count == 0;
}

/// <summary>
/// One problem in a rule's text. <see cref="Column"/> is 1-based within the text given to
/// <see cref="RuleParser.Parse"/>.
/// </summary>
public sealed record RuleError(int Column, string Message)
{
    /// <summary>
    /// Where the error stands in a plan file, given where the rule's text starts there (for a quoted
    /// YAML scalar: the position after the opening quote).
    /// </summary>
    public SourceLocation In(SourceLocation textStart) => textStart with { Column = textStart.Column + Column - 1 };

    public override string ToString() => $"col {Column}: {Message}";
}
