using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Downshift.Monitoring.Internal;

/// <summary>Where a log watch stands in its file: the file's inode and the offset after the last line read.</summary>
internal sealed record LogPosition(string Inode, long Offset);

/// <summary>What one read of a log file found: the lines that matched, where to read next, and what to say.</summary>
internal sealed record LogAdvance(LogPosition? Next, int Matches, int Lines, string? Note, bool Missing);

/// <summary>
/// The pure part of <see cref="LogWatch"/>: the host's answer is a header line — <c>missing</c>, or
/// <c>INODE SIZE START</c> where START is where the host began to read (0 when the file is not the one
/// at the position: another inode, or shorter than the offset) — then the bytes from START. Only whole
/// lines are taken; a line still being written waits for the next read.
/// </summary>
internal static class LogCursor
{
    public const string MissingAnswer = "missing";

    public static LogAdvance Advance(string path, LogPosition? position, bool first, byte[] answer, int maxBytes, Regex pattern)
    {
        var newline = Array.IndexOf(answer, (byte)'\n');
        var header = Encoding.UTF8.GetString(answer, 0, newline < 0 ? answer.Length : newline).Trim();
        if (header == MissingAnswer)
        {
            return new LogAdvance(null, 0, 0, position is null ? null : $"log {path} is gone (rotated away?): it is read from its start when it is back", Missing: true);
        }

        var fields = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3 || !long.TryParse(fields[1], CultureInfo.InvariantCulture, out var size)
            || !long.TryParse(fields[2], CultureInfo.InvariantCulture, out var start))
        {
            throw new FormatException($"unexpected answer from the host: '{header}'");
        }

        if (first)
        {
            // The first read only finds the end: what was there before the watch began is not counted.
            return new LogAdvance(new LogPosition(fields[0], size), 0, 0, null, Missing: false);
        }

        var note = position switch
        {
            null => $"log {path} appeared: reading it from the start",
            { Offset: > 0 } when start == 0 && position.Inode != fields[0] => $"log {path} was rotated (a new file): reading it from the start",
            { Offset: > 0 } when start == 0 => $"log {path} was truncated ({size} bytes, was read to {position.Offset}): reading it from the start",
            _ => null,
        };

        var data = newline < 0 ? ReadOnlySpan<byte>.Empty : answer.AsSpan(newline + 1);
        var lastNewline = data.LastIndexOf((byte)'\n');
        var taken = lastNewline >= 0 ? lastNewline + 1 : data.Length >= maxBytes ? data.Length : 0;
        var (matches, lines, slow) = Count(data[..taken], pattern);
        if (slow > 0)
        {
            note = (note is null ? "" : note + "; ") +
                   $"{slow} line(s) of {path} took the pattern longer than {MonitorDefaults.RegexTimeout.TotalSeconds:0.#}s to match and were not counted";
        }

        return new LogAdvance(new LogPosition(fields[0], start + taken), matches, lines, note, Missing: false);
    }

    private static (int Matches, int Lines, int Slow) Count(ReadOnlySpan<byte> data, Regex pattern)
    {
        int matches = 0, lines = 0, slow = 0;
        while (data.Length > 0)
        {
            var end = data.IndexOf((byte)'\n');
            var line = end < 0 ? data : data[..end];
            data = end < 0 ? [] : data[(end + 1)..];
            lines++;
            try
            {
                matches += pattern.IsMatch(Encoding.UTF8.GetString(line).TrimEnd('\r')) ? 1 : 0;
            }
            catch (RegexMatchTimeoutException)
            {
                slow++;
            }
        }

        return (matches, lines, slow);
    }
}
