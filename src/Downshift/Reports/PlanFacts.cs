using System.Text.Json;
using Downshift.Journal;

namespace Downshift.Reports;

/// <summary>
/// The few plan facts a report shows. The caller fills them from the plan stored with the run, as the
/// plan loader read it (variables expanded, inventory groups resolved to hosts); when that plan no longer
/// validates, <see cref="FromRunStarted"/> gives what the run's RunStarted record kept. Anything unknown is null.
/// </summary>
public sealed record PlanFacts(
    string? ReasonKind,
    string? ReasonDetail,
    string? ScopeKind,
    IReadOnlyList<string> ScopeItems,
    string? From,
    string? To,
    IReadOnlyList<string> Hosts)
{
    private static readonly PlanFacts None = new(null, null, null, [], null, null, []);

    /// <summary>From, to and hosts as the run's RunStarted record holds them (no reason or scope there).</summary>
    public static PlanFacts FromRunStarted(IReadOnlyList<JournalRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.FirstOrDefault(r => r.Event == JournalEvent.RunStarted)?.Data is not { } data)
        {
            return None;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return None;
            }

            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            IReadOnlyList<string> hosts = root.TryGetProperty("hosts", out var list) && list.ValueKind == JsonValueKind.Array
                ? [.. list.EnumerateArray().Where(h => h.ValueKind == JsonValueKind.String).Select(h => h.GetString()!)]
                : [];
            return None with { From = Text("from"), To = Text("to"), Hosts = hosts };
        }
        catch (JsonException)
        {
            return None;
        }
    }
}
