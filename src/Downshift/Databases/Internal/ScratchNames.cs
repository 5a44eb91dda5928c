using System.Security.Cryptography;
using System.Text;

namespace Downshift.Databases.Internal;

/// <summary>Names of scratch copies: <c>dsverify_LABEL_RANDOM</c>, safe as a PostgreSQL identifier and a file name.</summary>
internal static class ScratchNames
{
    /// <summary>The prefix every scratch copy's name starts with, so a leftover one is easy to find.</summary>
    public const string Prefix = "dsverify_";

    private const int MaxLabelLength = 40;

    /// <summary><c>dsverify_</c>, the label in lowercase letters, digits and single underscores (at most 40), <c>_</c>, 8 random hex digits.</summary>
    public static string New(string label) => $"{Prefix}{Sanitise(label)}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>The label reduced to <c>[a-z0-9_]</c> without leading, trailing or doubled underscores; <c>copy</c> when nothing is left.</summary>
    public static string Sanitise(string label)
    {
        var text = new StringBuilder();
        foreach (var c in label.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '_';
            if (keep != '_' || (text.Length > 0 && text[^1] != '_'))
            {
                text.Append(keep);
            }
        }

        var name = text.ToString().TrimEnd('_');
        name = name.Length > MaxLabelLength ? name[..MaxLabelLength].TrimEnd('_') : name;
        return name.Length == 0 ? "copy" : name;
    }
}
