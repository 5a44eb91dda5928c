using System.Text.Json;

namespace Downshift.Steps;

/// <summary>
/// What a step captured before it changed anything (the previous symlink target, where the original
/// file was saved). Written to the journal before the change, so an undo works after a crash.
/// </summary>
public sealed record UndoData(IReadOnlyDictionary<string, string> Values)
{
    public static readonly UndoData Empty = new(new Dictionary<string, string>());

    public string? Get(string key) => Values.TryGetValue(key, out var value) ? value : null;

    public string Require(string key) =>
        Get(key) ?? throw DownshiftException.Internal($"undo data has no '{key}'");

    public UndoData With(string key, string value)
    {
        var copy = new Dictionary<string, string>(Values, StringComparer.Ordinal) { [key] = value };
        return new UndoData(copy);
    }

    public string ToJson() => JsonSerializer.Serialize(Values);

    public static UndoData FromJson(string? json) =>
        string.IsNullOrEmpty(json)
            ? Empty
            : new UndoData(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []);
}
