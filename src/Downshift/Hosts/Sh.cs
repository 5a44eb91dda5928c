namespace Downshift.Hosts;

/// <summary>Quoting for POSIX shells: the one place a value becomes part of a command line.</summary>
public static class Sh
{
    public static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
