using System.Text.RegularExpressions;

namespace Downshift.Steps.Config.Internal;

/// <summary>Whether an unquoted plan scalar is a literal (number, true, false, null) for yaml and json.</summary>
internal static partial class ScalarLiteral
{
    public static bool IsLiteral(ScalarValue value) =>
        !value.Quoted && (value.Text is "true" or "false" or "null" || Number().IsMatch(value.Text));

    /// <summary>Plain YAML text that a YAML 1.1 or 1.2 reader would not take as a string.</summary>
    public static bool LooksTyped(string text) =>
        text.Length == 0 || Number().IsMatch(text) || YamlSpecial().IsMatch(text) ||
        LooseNumber().IsMatch(text);

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();

    [GeneratedRegex(@"^[-+]?(\.?[0-9][0-9_.]*([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$")]
    private static partial Regex LooseNumber();

    [GeneratedRegex("^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$")]
    private static partial Regex YamlSpecial();
}
