using System.Text.RegularExpressions;

namespace Downshift.Steps.Internal;

/// <summary>Checks shared by the kinds' <c>Bind</c>: each records an error and returns false when the value is wrong.</summary>
internal static partial class OptionChecks
{
    public static bool AbsolutePath(IStepOptionsReader reader, string key, string? value) =>
        value is null || value.StartsWith('/') || Fail(reader, key, $"'{key}' must be an absolute path on the host, got '{value}'");

    public static bool Mode(IStepOptionsReader reader, string key, string? value) =>
        value is null || ModePattern().IsMatch(value) ||
        Fail(reader, key, $"'{key}' must be an octal mode such as \"0644\", got '{value}' (quote it in YAML)");

    public static bool Owner(IStepOptionsReader reader, string key, string? value) =>
        value is null || OwnerPattern().IsMatch(value) ||
        Fail(reader, key, $"'{key}' must be \"user\" or \"user:group\", got '{value}'");

    /// <summary>Records the error and returns false, so checks read as <c>ok &amp;= …</c>.</summary>
    public static bool Fail(IStepOptionsReader reader, string key, string message)
    {
        reader.Error(key, message);
        return false;
    }

    [GeneratedRegex("^0?[0-7]{3,4}$")]
    private static partial Regex ModePattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")]
    private static partial Regex OwnerPattern();
}
