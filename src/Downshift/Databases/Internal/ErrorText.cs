using System.Text.RegularExpressions;

namespace Downshift.Databases.Internal;

/// <summary>What a tool printed, made fit for a one-line message.</summary>
internal static partial class ErrorText
{
    private const int MaxLength = 500;

    /// <summary>Whitespace (newlines too) folded to single spaces, at most 500 characters.</summary>
    public static string OneLine(string text)
    {
        var line = Whitespace().Replace(text, " ").Trim();
        return line.Length <= MaxLength ? line : line[..MaxLength] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
