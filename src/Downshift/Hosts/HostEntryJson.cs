using System.Text.Json;

namespace Downshift.Hosts;

/// <summary>
/// Resolved hosts as JSON, for the journal: a run stores how it reached its hosts so resume and rollback
/// reach the same ones even if the inventory changed. Inventory variables are left out (they may hold secrets).
/// </summary>
public static class HostEntryJson
{
    public static string Serialize(IEnumerable<HostEntry> hosts) =>
        JsonSerializer.Serialize(hosts.Select(Store).ToList());

    /// <summary>The same JSON as <see cref="Serialize"/>, as an element to embed in a larger document.</summary>
    public static JsonElement ToElement(IEnumerable<HostEntry> hosts) =>
        JsonSerializer.SerializeToElement(hosts.Select(Store).ToList());

    public static IReadOnlyList<HostEntry> Deserialize(string json) =>
        [.. (JsonSerializer.Deserialize<List<Stored>>(json) ?? []).Select(s => new HostEntry(s.Name)
        {
            Address = s.Address, Port = s.Port, User = s.User, KeyFile = s.KeyFile, Become = s.Become, Groups = s.Groups ?? [],
        })];

    /// <summary>The hosts stored in a JSON object's property (e.g. the run-started record), or null when it has none.</summary>
    public static IReadOnlyList<HostEntry>? FromProperty(string? json, string property)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var value)
            ? Deserialize(value.GetRawText())
            : null;
    }

    private static Stored Store(HostEntry h) => new(h.Name, h.Address, h.Port, h.User, h.KeyFile, h.Become, [.. h.Groups]);

    private sealed record Stored(string Name, string Address, int Port, string? User, string? KeyFile, bool Become, List<string>? Groups);
}
