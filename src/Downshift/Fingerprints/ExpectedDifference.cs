using System.Text;
using System.Text.RegularExpressions;

namespace Downshift.Fingerprints;

/// <summary>
/// A difference that is allowed, declared with its reason (never silently ignored): a section (or
/// <c>*</c> for any) and a glob over the section's keys, written <c>SECTION:GLOB</c> —
/// <c>files:/var/log/**</c>, <c>packages:shopd</c>, <c>databases:shop/public.orders</c>. In the glob,
/// <c>*</c> matches any characters but <c>/</c>, <c>**</c> any characters, <c>?</c> one character but
/// <c>/</c>; everything else matches itself. The glob covers the whole key.
/// </summary>
public sealed class ExpectedDifference
{
    private readonly Regex pattern;

    private ExpectedDifference(string section, string keyGlob, string reason)
    {
        Section = section;
        KeyGlob = keyGlob;
        Reason = reason;
        pattern = Compile(keyGlob);
    }

    /// <summary>A section name of <see cref="FingerprintSections.All"/>, or <c>*</c>.</summary>
    public string Section { get; }

    public string KeyGlob { get; }

    public string Reason { get; }

    /// <summary>The declaration as written: <c>SECTION:GLOB</c>.</summary>
    public string What => $"{Section}:{KeyGlob}";

    public bool Matches(string section, string key) =>
        (Section == "*" || Section == section) && pattern.IsMatch(key);

    /// <summary>Reads <c>SECTION:GLOB</c> and a reason; throws <see cref="DownshiftException"/> when either is wrong.</summary>
    public static ExpectedDifference Parse(string what, string reason) =>
        TryParse(what, reason, out var expected, out var problem) ? expected : throw DownshiftException.InvalidState(problem);

    /// <summary>Reads <c>SECTION:GLOB</c> and a reason; false with the problem when either is wrong.</summary>
    public static bool TryParse(string what, string reason, out ExpectedDifference expected, out string problem)
    {
        ArgumentNullException.ThrowIfNull(what);
        expected = null!;
        var colon = what.IndexOf(':', StringComparison.Ordinal);
        var section = colon < 0 ? what : what[..colon];
        if (colon < 0 || colon == what.Length - 1)
        {
            problem = $"expected difference '{what}' must be SECTION:GLOB, e.g. files:/var/log/** or packages:shopd";
        }
        else if (section != "*" && !FingerprintSections.All.Contains(section))
        {
            problem = $"expected difference '{what}': unknown section '{section}' (known: {string.Join(", ", FingerprintSections.All)}, or *)";
        }
        else if (string.IsNullOrWhiteSpace(reason))
        {
            problem = $"expected difference '{what}' needs a reason: expected differences are declared, never silently ignored";
        }
        else
        {
            expected = new ExpectedDifference(section, what[(colon + 1)..], reason.Trim());
            problem = "";
            return true;
        }

        return false;
    }

    public override string ToString() => $"{What} ({Reason})";

    private static Regex Compile(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            switch (glob[i])
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    regex.Append(".*");
                    i++;
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                default:
                    regex.Append(Regex.Escape(glob[i].ToString()));
                    break;
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
