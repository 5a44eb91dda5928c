using System.Text;
using System.Text.RegularExpressions;
using Downshift.Monitoring.Internal;

namespace Downshift.Tests.Monitoring;

public sealed class LogCursorTests
{
    private const string Path = "/var/log/shop/error.log";
    private static readonly Regex Errors = new("ERROR|FATAL", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Fact]
    public void Advance_FirstRead_StartsAtTheEndAndCountsNothing()
    {
        var advance = LogCursor.Advance(Path, null, first: true, Answer("42 1000 0", ""), 4096, Errors);

        Assert.Equal(new LogPosition("42", 1000), advance.Next);
        Assert.Equal(0, advance.Matches);
        Assert.Null(advance.Note);
    }

    [Fact]
    public void Advance_LinesAppended_CountsMatchesAndMovesPastTheLastWholeLine()
    {
        // Given the watch stood at 1000, and three whole lines and half a line were appended
        var appended = "ERROR one\ninfo two\nFATAL three\nERROR half";

        // When the host's answer is read
        var advance = LogCursor.Advance(Path, new LogPosition("42", 1000), first: false, Answer("42 1050 1000", appended), 4096, Errors);

        // Then two of three whole lines match, and the half line waits for the next read
        Assert.Equal(2, advance.Matches);
        Assert.Equal(3, advance.Lines);
        Assert.Equal(new LogPosition("42", 1000 + "ERROR one\ninfo two\nFATAL three\n".Length), advance.Next);
        Assert.Null(advance.Note);
    }

    [Fact]
    public void Advance_Truncated_ReadsFromTheStartAndSaysSo()
    {
        // Given the host started at 0 because the file (same inode) is now shorter than the offset
        var advance = LogCursor.Advance(Path, new LogPosition("42", 5000), first: false, Answer("42 20 0", "ERROR after truncate\n"), 4096, Errors);

        Assert.Equal(1, advance.Matches);
        Assert.Equal(new LogPosition("42", 21), advance.Next);
        Assert.Equal($"log {Path} was truncated (20 bytes, was read to 5000): reading it from the start", advance.Note);
    }

    [Fact]
    public void Advance_Rotated_ReadsTheNewFileFromTheStartAndSaysSo()
    {
        var advance = LogCursor.Advance(Path, new LogPosition("42", 5000), first: false, Answer("77 9000 0", "ERROR new file\n"), 4096, Errors);

        Assert.Equal(1, advance.Matches);
        Assert.Equal(new LogPosition("77", 15), advance.Next);
        Assert.Contains("was rotated", advance.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_Missing_NoPositionAndThenReadFromTheStartWhenItAppears()
    {
        var gone = LogCursor.Advance(Path, new LogPosition("42", 5000), first: false, Answer("missing", null), 4096, Errors);

        Assert.True(gone.Missing);
        Assert.Null(gone.Next);
        Assert.Contains("is gone", gone.Note, StringComparison.Ordinal);

        var back = LogCursor.Advance(Path, gone.Next, first: false, Answer("43 6 0", "ERROR\n"), 4096, Errors);
        Assert.Equal(1, back.Matches);
        Assert.Equal($"log {Path} appeared: reading it from the start", back.Note);
    }

    [Fact]
    public void Advance_ALineLongerThanARead_IsTakenWholeSoTheWatchDoesNotStall()
    {
        var advance = LogCursor.Advance(Path, new LogPosition("42", 0), first: false, Answer("42 100 0", new string('x', 16)), 16, Errors);

        Assert.Equal(new LogPosition("42", 16), advance.Next);
        Assert.Equal(1, advance.Lines);
    }

    [Fact]
    public void Advance_ALineTheRegexTimesOutOn_NotCountedAndSaidSo()
    {
        // Given a pattern that backtracks catastrophically, with a tiny timeout
        var slow = new Regex("^(a+)+$", RegexOptions.None, TimeSpan.FromMilliseconds(1));
        var data = new string('a', 40) + "!\naaa\n";

        var advance = LogCursor.Advance(Path, new LogPosition("42", 0), first: false, Answer("42 45 0", data), 4096, slow);

        // Then the other lines count, the position moves on (the watch does not wedge on that line), and the read says so
        Assert.Equal(1, advance.Matches);
        Assert.Equal(new LogPosition("42", data.Length), advance.Next);
        Assert.Contains("1 line(s)", advance.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_UnexpectedAnswer_Throws()
    {
        Assert.Throws<FormatException>(() => LogCursor.Advance(Path, null, first: false, Answer("stat: cannot stat", null), 4096, Errors));
    }

    private static byte[] Answer(string header, string? data) => Encoding.UTF8.GetBytes(header + "\n" + data);
}
