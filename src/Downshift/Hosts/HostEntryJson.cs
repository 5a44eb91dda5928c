using System.Text.Json;
using System.Text.RegularExpressions;

namespace Downshift.Hosts;

/// <summary>
/// Resolved hosts as JSON, for the journal: a run stores how it reached its hosts so resume and rollback
/// reach the same ones even if the inventory changed. Inventory variables are stored too (a resumed
/// step still expands <c>{{ host.vars.NAME }}</c>), except those whose name looks like a secret
/// (<see cref="IsSecretName"/>: <c>ansible_password</c>, <c>api_token</c>, <c>ssh_key</c>…): the journal
/// keeps no secret, so a step that needs one cannot be resumed from the journal alone.
/// </summary>
public static partial class HostEntryJson
{
    /// <summary>
    /// Whether an inventory variable's name looks like it holds a secret, so it is never stored: it
    /// contains pass (password, passwd, passphrase, become_pass), secret, token, key, credential, private,
    /// auth or cert, in any case. Deliberately broad: a harmless variable left out only fails a resumed
    /// step loudly, a secret kept would sit in the journal for good.
    /// </summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    public static string Serialize(IEnumerable<HostEntry> hosts) =>
        JsonSerializer.Serialize(hosts.Select(Store).ToList());

    /// <summary>The same JSON as <see cref="Serialize"/>, as an element to embed in a larger document.</summary>
    public static JsonElement ToElement(IEnumerable<HostEntry> hosts) =>
        JsonSerializer.SerializeToElement(hosts.Select(Store).ToList());

    public static IReadOnlyList<HostEntry> Deserialize(string json) =>
        [.. (JsonSerializer.Deserialize<List<Stored>>(json) ?? []).Select(s => new HostEntry(s.Name)
        {
            Address = s.Address, Port = s.Port, User = s.User, KeyFile = s.KeyFile, Become = s.Become, Groups = s.Groups ?? [],
            Vars = s.Vars ?? [],
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

    private static Stored Store(HostEntry h) => new(
        h.Name, h.Address, h.Port, h.User, h.KeyFile, h.Become, [.. h.Groups],
        h.Vars.Where(v => !IsSecretName(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal));

    /// <summary>Vars is null in journals written before variables were stored.</summary>
    private sealed record Stored(
        string Name, string Address, int Port, string? User, string? KeyFile, bool Become, List<string>? Groups, Dictionary<string, string>? Vars);

    [GeneratedRegex("pass|secret|token|key|credential|private|auth|cert", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
