using System.Globalization;
using System.Text;

namespace Downshift.Reports.Internal;

/// <summary>Small Markdown helpers: table cells, tables, code fences, times and durations.</summary>
internal static class Markdown
{
    public static string Cell(string? text) =>
        string.IsNullOrEmpty(text)
            ? ""
            : text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("|", "\\|", StringComparison.Ordinal)
                .Replace("\r\n", "<br>", StringComparison.Ordinal)
                .Replace("\n", "<br>", StringComparison.Ordinal);

    public static void Table(StringBuilder md, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        md.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        md.Append('|').AppendJoin("", headers.Select(_ => "---|")).AppendLine();
        foreach (var row in rows)
        {
            md.Append("| ").AppendJoin(" | ", row.Select(Cell)).AppendLine(" |");
        }

        md.AppendLine();
    }

    /// <summary>A fenced block whose fence is longer than any run of backticks inside it.</summary>
    public static void Fence(StringBuilder md, string language, string content)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in content)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        md.Append(fence).AppendLine(language).AppendLine(content.TrimEnd('\n', '\r')).AppendLine(fence).AppendLine();
    }

    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

    public static string Duration(TimeSpan? duration)
    {
        if (duration is not { } d)
        {
            return "";
        }

        if (d < TimeSpan.Zero)
        {
            d = TimeSpan.Zero;
        }

        return d switch
        {
            { TotalHours: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours}h {d.Minutes:00}m {d.Seconds:00}s"),
            { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{d.Minutes}m {d.Seconds:00}s"),
            { TotalSeconds: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.0}s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0} ms"),
        };
    }
}
