using System.Text.RegularExpressions;

namespace Downshift.Plans.Internal;

/// <summary>
/// Resolves <c>{{ name }}</c> references against the plan's variables. <c>{{ host.… }}</c> stays as it
/// is: it differs per host and is resolved when the step runs (see <see cref="Hosts.HostPlaceholders"/>).
/// </summary>
internal static partial class Interpolation
{
    /// <summary>Returns the resolved text, or null with the names that are not defined.</summary>
    public static string? Resolve(string text, IReadOnlyDictionary<string, string> variables, out IReadOnlyList<string> missing)
    {
        var unknown = new List<string>();
        var result = Reference().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (Hosts.HostPlaceholders.IsHostReference(name))
            {
                return match.Value; // resolved per host when the step runs
            }

            if (variables.TryGetValue(name, out var value))
            {
                return value;
            }

            unknown.Add(name);
            return match.Value;
        });
        missing = unknown;
        return unknown.Count == 0 ? result : null;
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")]
    private static partial Regex Reference();
}
