namespace Downshift.Monitoring.Rules;

/// <summary>
/// What a run does while a rule is <see cref="RuleVerdict.Inconclusive"/> (its data is missing): a rule's
/// <c>on-missing:</c>, else the plan's default. Never "carry on as if healthy".
/// </summary>
public enum MissingDataPolicy
{
    /// <summary>Roll the affected hosts back, as if the rule had tripped.</summary>
    Rollback,

    /// <summary>Stop and wait for a human to decide.</summary>
    Pause,
}
