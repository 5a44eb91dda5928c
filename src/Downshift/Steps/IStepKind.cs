namespace Downshift.Steps;

/// <summary>How a step kind can be undone.</summary>
public enum UndoSupport
{
    /// <summary>The kind derives its undo (file restores the original, service start undoes stop).</summary>
    Derived,

    /// <summary>The plan must declare an undo command, or <c>undo: none</c> with a reason.</summary>
    Declared,

    /// <summary>The kind changes nothing on the host (http-check).</summary>
    NotNeeded,
}

/// <summary>
/// One kind of step: its options, their validation, and how to build an executor. One folder per
/// kind under <c>Steps/</c>, one registration line in <see cref="StepKinds"/>.
/// </summary>
public interface IStepKind
{
    string Name { get; }

    string Summary { get; }

    UndoSupport Undo { get; }

    IReadOnlyList<OptionField> Fields { get; }

    /// <summary>Reads and validates the options; returns null when the reader recorded errors.</summary>
    StepOptions? Bind(IStepOptionsReader reader);

    IStepExecutor CreateExecutor(StepOptions options);

    /// <summary>The step's timeout when the plan gives none (each attempt and each undo).</summary>
    TimeSpan DefaultTimeout => Plans.PlanDefaults.StepTimeout;
}
