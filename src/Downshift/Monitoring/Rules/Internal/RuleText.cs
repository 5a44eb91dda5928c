using System.Globalization;

namespace Downshift.Monitoring.Rules.Internal;

/// <summary>How numbers, durations and times appear in rules and their explanations.</summary>
internal static class RuleText
{
    /// <summary>412, 1.5, 0.42, 0.00, 0.0025: short, and the same for the same value everywhere.</summary>
    public static string Number(double value)
    {
        var magnitude = Math.Abs(value);
        var text = magnitude switch
        {
            >= 1000 => value.ToString("0", CultureInfo.InvariantCulture),
            >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
            _ => value.ToString("0.00##", CultureInfo.InvariantCulture),
        };
        return text is "0.00" or "-0.00" && value != 0 ? value.ToString("G3", CultureInfo.InvariantCulture) : text;
    }

    /// <summary>A number as a rule writes it (a factor, a threshold): 1.5, 0.01, 90.</summary>
    public static string Plain(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>1m30s, 30s, 500ms, 2h: the way a plan writes a duration.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>();
        Add((int)duration.TotalHours, "h");
        Add(duration.Minutes, "m");
        Add(duration.Seconds, "s");
        Add(duration.Milliseconds, "ms");
        return string.Concat(parts);

        void Add(int amount, string unit)
        {
            if (amount > 0)
            {
                parts.Add(amount.ToString(CultureInfo.InvariantCulture) + unit);
            }
        }
    }

    /// <summary>12:00:31 (with .250 when the sample is not on a whole second), in the sample's own offset.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToString(time.Millisecond == 0 ? "HH:mm:ss" : "HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
