using System.Text.Json;
using Downshift.Fingerprints;
using Downshift.Journal;

namespace Downshift.Rehearsals;

/// <summary>A rehearsal as JSON: what the journal's record keeps and what <c>rehearse --json</c> prints.</summary>
public static class RehearsalJson
{
    /// <summary>One line, with the fingerprints' (unescaped) text.</summary>
    public static JsonSerializerOptions Compact { get; } = new(FingerprintJson.Options) { WriteIndented = false };

    public static object Of(RehearsalResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new
        {
            planHash = result.PlanHash,
            passed = result.Passed,
            run = result.Run.RunId,
            runStatus = result.Run.Status.ToWire(),
            rollbackStatus = result.Rollback?.Status.ToWire(),
            why = result.Why,
            hosts = result.Hosts.Select(h => new
            {
                host = h.Host,
                restored = h.Restored,
                unexpected = h.Unexpected,
                expected = h.Expected,
                problem = h.Problem,
                differences = h.Comparison is { } c ? FingerprintJson.Differences(c) : [],
                notes = h.Comparison?.Notes ?? [],
            }),
        };
    }
}
