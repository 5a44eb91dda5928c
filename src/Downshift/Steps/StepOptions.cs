namespace Downshift.Steps;

/// <summary>Base of every step kind's options record (an immutable, validated value).</summary>
public abstract record StepOptions;
