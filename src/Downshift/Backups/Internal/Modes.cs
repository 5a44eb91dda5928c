using System.Globalization;

namespace Downshift.Backups.Internal;

/// <summary>How modes and mtimes are written in manifests, the same from <c>find</c> and from tar headers.</summary>
internal static class Modes
{
    /// <summary>Octal, four digits at least: <c>0644</c>, <c>4755</c>.</summary>
    public static string Format(int mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    public static int Parse(string mode) => Convert.ToInt32(mode, 8);

    /// <summary>Seconds since the epoch with a fraction (<c>1796403213.1408882830</c>), truncated to 100 ns.</summary>
    public static DateTimeOffset ParseEpoch(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var seconds = long.Parse(dot < 0 ? text : text[..dot], CultureInfo.InvariantCulture);
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
        return DateTimeOffset.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (seconds < 0 ? -ticks : ticks));
    }
}
