using Downshift.Steps;

namespace Downshift.Tests.TestSupport;

/// <summary>An <see cref="IStepOptionsReader"/> over a dictionary that records errors as "key: message".</summary>
public sealed class DictionaryOptionsReader(Dictionary<string, object?> values) : IStepOptionsReader
{
    public List<string> Errors { get; } = [];

    public string StepId => "test-step";

    public bool Has(string key) => values.ContainsKey(key);

    public string? String(string key, bool required = false) => Read<string>(key, required, "a string");

    public string? OneOf(string key, IReadOnlyList<string> allowed, bool required = false)
    {
        var value = String(key, required);
        if (value is not null && !allowed.Contains(value))
        {
            Error(key, $"must be one of {string.Join(", ", allowed)}");
            return null;
        }

        return value;
    }

    public int? Integer(string key, bool required = false, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!values.TryGetValue(key, out var value))
        {
            return Missing<int?>(key, required);
        }

        if (value is int number && number >= min && number <= max)
        {
            return number;
        }

        Error(key, $"must be an integer from {min} to {max}");
        return null;
    }

    public bool? Boolean(string key, bool required = false) =>
        values.TryGetValue(key, out var value) ? value is bool b ? b : Wrong<bool?>(key, "true or false") : Missing<bool?>(key, required);

    public TimeSpan? Duration(string key, bool required = false) =>
        values.TryGetValue(key, out var value) ? value is TimeSpan t ? t : Wrong<TimeSpan?>(key, "a duration") : Missing<TimeSpan?>(key, required);

    public IReadOnlyList<string>? StringList(string key, bool required = false) => Read<IReadOnlyList<string>>(key, required, "a list of strings");

    public IReadOnlyDictionary<string, ScalarValue>? StringMap(string key, bool required = false)
    {
        if (!values.TryGetValue(key, out var value))
        {
            return Missing<IReadOnlyDictionary<string, ScalarValue>>(key, required);
        }

        return value switch
        {
            IReadOnlyDictionary<string, ScalarValue> map => map,
            IReadOnlyDictionary<string, string> map => map.ToDictionary(p => p.Key, p => new ScalarValue(p.Value, Quoted: false)),
            _ => Wrong<IReadOnlyDictionary<string, ScalarValue>>(key, "a map"),
        };
    }

    public IReadOnlyList<IReadOnlyDictionary<string, ScalarValue>>? MapList(string key, IReadOnlyList<string> itemKeys, bool required = false)
    {
        var list = Read<IReadOnlyList<IReadOnlyDictionary<string, string>>>(key, required, "a list of maps");
        if (list is null)
        {
            return null;
        }

        var unknown = list.SelectMany(m => m.Keys).Where(k => !itemKeys.Contains(k)).ToList();
        foreach (var name in unknown)
        {
            Error(key, $"unknown key '{name}' in an item of '{key}'");
        }

        return unknown.Count > 0 ? null : [.. list.Select(m => (IReadOnlyDictionary<string, ScalarValue>)m.ToDictionary(p => p.Key, p => new ScalarValue(p.Value, Quoted: false)))];
    }

    public void Error(string key, string message) => Errors.Add($"{key}: {message}");

    private T? Read<T>(string key, bool required, string expected)
        where T : class =>
        values.TryGetValue(key, out var value) ? value as T ?? Wrong<T>(key, expected) : Missing<T>(key, required);

    private T? Missing<T>(string key, bool required)
    {
        if (required)
        {
            Error(key, "is required");
        }

        return default;
    }

    private T? Wrong<T>(string key, string expected)
    {
        Error(key, $"must be {expected}");
        return default;
    }
}
