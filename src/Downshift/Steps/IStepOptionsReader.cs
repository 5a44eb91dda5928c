namespace Downshift.Steps;

/// <summary>A YAML scalar as written: its text and whether it was quoted (quoted means "string").</summary>
public sealed record ScalarValue(string Text, bool Quoted);

/// <summary>
/// Reads a step's options from the plan. Every accessor records a positioned error (file:line:col)
/// when the value is missing-but-required or of the wrong type, and returns null; binding goes on so
/// that every error of a plan is reported at once. Strings have <c>{{ var }}</c> references resolved.
/// </summary>
public interface IStepOptionsReader
{
    /// <summary>The step's id, for messages.</summary>
    string StepId { get; }

    bool Has(string key);

    string? String(string key, bool required = false);

    /// <summary>A string that must be one of <paramref name="allowed"/> (case-sensitive).</summary>
    string? OneOf(string key, IReadOnlyList<string> allowed, bool required = false);

    int? Integer(string key, bool required = false, int min = int.MinValue, int max = int.MaxValue);

    bool? Boolean(string key, bool required = false);

    /// <summary>A duration such as <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>.</summary>
    TimeSpan? Duration(string key, bool required = false);

    IReadOnlyList<string>? StringList(string key, bool required = false);

    IReadOnlyDictionary<string, ScalarValue>? StringMap(string key, bool required = false);

    /// <summary>A list of mappings of single values (<c>- {name: …, sql: …}</c>); keys other than <paramref name="itemKeys"/> are errors.</summary>
    IReadOnlyList<IReadOnlyDictionary<string, ScalarValue>>? MapList(string key, IReadOnlyList<string> itemKeys, bool required = false);

    /// <summary>Records an error at the position of <paramref name="key"/> (or of the step when absent).</summary>
    void Error(string key, string message);
}
