using Downshift.Hosts;
using Downshift.Monitoring.Internal;

namespace Downshift.Monitoring;

/// <summary>
/// CPU %, memory %, disk read/write bytes/s and network rx/tx bytes/s of one host, read from /proc over
/// the host's transport: nothing is installed. Each <see cref="SampleAsync"/> is one small command
/// (<see cref="Script"/>: a bash builtin and one <c>cat</c>, no pipeline); rates come from consecutive
/// readings, over the host's own uptime between them (10 ms resolution: ±1% at a 1 s interval). The
/// first reading gives memory only (a rate needs two); after a failed reading the next good one gives
/// rates averaged since the last good one. A reading that fails gives every metric as a
/// null point with the error: it never throws, but for the caller's cancellation.
/// </summary>
public sealed class HostSampler(IHostTransport host, TimeProvider timeProvider)
{
    /// <summary>
    /// What runs on the host: <c>echo</c> (a builtin) lists whole disks, then bash becomes <c>cat</c>
    /// (exec: no fork) of the five files. Not journaled: a sample a second is not an operation.
    /// </summary>
    public const string Script = "echo /sys/block/*; exec cat /proc/uptime /proc/stat /proc/meminfo /proc/diskstats /proc/net/dev";

    private ProcReading? previous;

    public string HostName => host.HostName;

    public TimeSpan CommandTimeout { get; init; } = MonitorDefaults.CommandTimeout;

    public async Task<IReadOnlyList<MetricSample>> SampleAsync(CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await host.RunAsync(
                new HostCommand(Script) { Journaled = false, Timeout = CommandTimeout, Display = "read /proc (monitoring)" },
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ProcRates.AllMissing(HostName, timeProvider.GetUtcNow(), $"reading /proc failed: {e.Message}");
        }

        var time = timeProvider.GetUtcNow();
        try
        {
            var reading = ProcReading.Parse(result.StdoutText);
            if (reading.Uptime is null && reading.Memory is null && reading.Cpu is null)
            {
                return ProcRates.AllMissing(HostName, time, $"reading /proc failed (exit {result.ExitCode}): {Trim(result.Output)}");
            }

            var samples = ProcRates.Compare(HostName, time, previous, reading, result.Stderr);
            if (previous?.Uptime is not { } before || reading.Uptime != before)
            {
                // A reading within the same clock tick as the last one keeps the last one: the next rate spans both.
                previous = reading;
            }

            return samples;
        }
        catch (Exception e)
        {
            return ProcRates.AllMissing(HostName, time, $"the answer of /proc cannot be read: {e.Message}");
        }
    }

    private static string Trim(string text) => text.Length > 500 ? text[..500].Trim() + "…" : text.Trim();
}
