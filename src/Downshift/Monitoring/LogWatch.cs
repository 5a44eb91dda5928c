using System.Globalization;
using System.Text.RegularExpressions;
using Downshift.Hosts;
using Downshift.Monitoring.Internal;

namespace Downshift.Monitoring;

/// <summary>What one read of a watched log gave: the point (none for the first read, which only finds the end) and a note (rotated, truncated, appeared, gone).</summary>
public sealed record LogWatchRead(MetricSample? Sample, string? Note);

/// <summary>
/// A log file on a host: lines matching a pattern per minute (<see cref="MetricNames.LogPerMinute"/>).
/// Each <see cref="ReadAsync"/> is one command that reads only what was appended since the last read
/// (at most <see cref="MaxReadBytes"/>; the rest comes next time). The first read finds the end of the
/// file: lines written before the watch began do not count. A file with another inode (rotated) or
/// shorter than the offset (truncated) is read again from its start, and the read says so; a missing
/// file is a null point with the error, and read from its start when it appears. Never throws but for
/// the caller's cancellation.
/// </summary>
public sealed class LogWatch
{
    private readonly IHostTransport host;
    private readonly TimeProvider timeProvider;
    private readonly Regex pattern;
    private LogPosition? position;
    private bool first = true;
    private DateTimeOffset lastRead;

    public LogWatch(LogWatchSpec spec, IHostTransport host, TimeProvider timeProvider)
    {
        Spec = spec;
        this.host = host;
        this.timeProvider = timeProvider;
        pattern = new Regex(spec.Pattern, RegexOptions.CultureInvariant, MonitorDefaults.RegexTimeout);
    }

    public LogWatchSpec Spec { get; }

    public string HostName => host.HostName;

    public string Metric => MetricNames.LogPerMinute(Spec.Name);

    /// <summary>Where the next read starts (0 before the first read and while the file is missing).</summary>
    public long Offset => position?.Offset ?? 0;

    public TimeSpan CommandTimeout { get; init; } = MonitorDefaults.CommandTimeout;

    public int MaxReadBytes { get; init; } = MonitorDefaults.MaxLogReadBytes;

    public async Task<LogWatchRead> ReadAsync(CancellationToken cancellationToken)
    {
        var script = Script(Spec.Path, position, first ? 0 : MaxReadBytes);
        CommandResult result;
        try
        {
            result = await host.RunAsync(
                new HostCommand(script) { Journaled = false, Timeout = CommandTimeout, Display = $"read new lines of {Spec.Path} (monitoring)" },
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Failed($"reading {Spec.Path} failed: {e.Message}");
        }

        if (!result.Succeeded)
        {
            return Failed($"reading {Spec.Path} failed (exit {result.ExitCode}): {result.Output.Trim()}");
        }

        var now = timeProvider.GetUtcNow();
        try
        {
            var advance = LogCursor.Advance(Spec.Path, position, first, result.Stdout, MaxReadBytes, pattern);
            var elapsed = now - lastRead;
            var wasFirst = first;
            (position, first, lastRead) = (advance.Next, false, now);
            if (advance.Missing)
            {
                return new LogWatchRead(MetricSample.Missing(HostName, Metric, now, $"no file {Spec.Path} on the host"), advance.Note);
            }

            MetricSample? sample = wasFirst ? null
                : elapsed > TimeSpan.Zero ? new MetricSample(HostName, Metric, new MetricPoint(now, advance.Matches * 60.0 / elapsed.TotalSeconds))
                : MetricSample.Missing(HostName, Metric, now, "no time passed since the last read");
            return new LogWatchRead(sample, advance.Note);
        }
        catch (Exception e)
        {
            return Failed($"the answer for {Spec.Path} cannot be read: {e.Message}");
        }
    }

    /// <summary>One command: the header line (see <c>LogCursor</c>), then at most MAX bytes from where the read starts.</summary>
    internal static string Script(string path, LogPosition? position, int max) =>
        $"f={Sh.Quote(path)}; [ -e \"$f\" ] || {{ echo {LogCursor.MissingAnswer}; exit 0; }}; " +
        "s=$(stat -Lc '%i %s' -- \"$f\") || exit 1; set -- $s; " +
        $"off={(position?.Offset ?? 0).ToString(CultureInfo.InvariantCulture)}; " +
        $"{{ [ \"$1\" = {Sh.Quote(position?.Inode ?? "")} ] && [ \"$2\" -ge \"$off\" ]; }} || off=0; " +
        $"echo \"$1 $2 $off\"; [ {max.ToString(CultureInfo.InvariantCulture)} -gt 0 ] || exit 0; " +
        $"tail -c +$((off + 1)) -- \"$f\" | head -c {max.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The position stays: the next good read takes up where the last one ended, and its rate spans the gap.</summary>
    private LogWatchRead Failed(string error) => new(MetricSample.Missing(HostName, Metric, timeProvider.GetUtcNow(), error), null);
}
