using System.Globalization;
using System.Text.RegularExpressions;

namespace Downshift.Inventory.Internal;

/// <summary>Ansible host ranges: <c>web[01:03]</c> → web01, web02, web03; <c>db-[a:c]</c> → db-a, db-b, db-c.</summary>
internal static partial class HostRanges
{
    private const int MaxHosts = 10_000;

    /// <summary>The names a pattern stands for, or null (with <paramref name="error"/>) when the range is malformed.</summary>
    public static IReadOnlyList<string>? Expand(string pattern, out string? error)
    {
        error = null;
        var match = Range().Match(pattern);
        if (!match.Success)
        {
            return [pattern];
        }

        var (from, to) = (match.Groups["from"].Value, match.Groups["to"].Value);
        var prefix = pattern[..match.Index];
        var rest = Expand(pattern[(match.Index + match.Length)..], out error);
        if (rest is null)
        {
            return null;
        }

        IEnumerable<string> items;
        if (int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var a) && int.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && a <= b && b - a < MaxHosts)
        {
            var width = from.StartsWith('0') ? from.Length : 0;
            items = Enumerable.Range(a, b - a + 1).Select(i => i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'));
        }
        else if (from.Length == 1 && to.Length == 1 && char.IsAsciiLetter(from[0]) && char.IsAsciiLetter(to[0]) && from[0] <= to[0])
        {
            items = Enumerable.Range(from[0], to[0] - from[0] + 1).Select(c => ((char)c).ToString());
        }
        else
        {
            error = $"host range [{from}:{to}] must go up, from a number to a number or a letter to a letter";
            return null;
        }

        return [.. items.SelectMany(item => rest.Select(tail => prefix + item + tail))];
    }

    [GeneratedRegex(@"\[(?<from>[A-Za-z0-9]+):(?<to>[A-Za-z0-9]+)\]")]
    private static partial Regex Range();
}
