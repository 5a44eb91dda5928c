using System.Text.Json;
using System.Text.RegularExpressions;

namespace Downshift.Steps.HttpCheck.Internal;

/// <summary>The small JSON path subset checks need: <c>$</c>, <c>.name</c>, <c>[index]</c>.</summary>
internal static partial class JsonPath
{
    public static bool IsValid(string path) => Full().IsMatch(path);

    /// <summary>The value at the path as text (strings unquoted, others as raw JSON), or null when absent.</summary>
    public static string? Select(JsonElement root, string path)
    {
        var current = root;
        foreach (Match part in Segment().Matches(path[1..]))
        {
            if (part.Groups["name"].Success)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part.Groups["name"].Value, out current))
                {
                    return null;
                }
            }
            else
            {
                var index = int.Parse(part.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[index];
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : current.GetRawText();
    }

    [GeneratedRegex(@"^\$(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*$")]
    private static partial Regex Full();

    [GeneratedRegex(@"\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)|\[(?<index>\d+)\]")]
    private static partial Regex Segment();
}
