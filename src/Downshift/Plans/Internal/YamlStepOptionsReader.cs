using Downshift.Steps;

namespace Downshift.Plans.Internal;

/// <summary>The step kinds' view of a step mapping (see <see cref="IStepOptionsReader"/>).</summary>
internal sealed class YamlStepOptionsReader(YamlMap map, string stepId) : IStepOptionsReader
{
    public string StepId { get; } = stepId;

    public bool Has(string key) => map.Has(key);

    public string? String(string key, bool required = false) => map.String(key, required);

    public string? OneOf(string key, IReadOnlyList<string> allowed, bool required = false) => map.OneOf(key, allowed, required);

    public int? Integer(string key, bool required = false, int min = int.MinValue, int max = int.MaxValue) =>
        map.Integer(key, required, min, max);

    public bool? Boolean(string key, bool required = false) => map.Boolean(key, required);

    public TimeSpan? Duration(string key, bool required = false) => map.Duration(key, required);

    public IReadOnlyList<string>? StringList(string key, bool required = false) => map.StringList(key, required);

    public IReadOnlyDictionary<string, ScalarValue>? StringMap(string key, bool required = false) => map.ScalarMap(key, required);

    public IReadOnlyList<IReadOnlyDictionary<string, ScalarValue>>? MapList(string key, IReadOnlyList<string> itemKeys, bool required = false) =>
        map.MapList(key, itemKeys, required);

    public void Error(string key, string message) => map.Error(map.Has(key) ? key : null, message);
}
