namespace Downshift.Monitoring.Internal;

/// <summary>
/// Turns two readings of /proc into the host metrics: memory from the newer one alone, CPU from the
/// jiffies between them, disk and network bytes per second over the host's own uptime between them (so
/// the time a command spent on the wire does not skew a rate). Counters are compared per disk and per
/// interface; one that went down (a device that came back, a counter that wrapped) is left out.
/// </summary>
internal static class ProcRates
{
    private const double SectorBytes = 512;

    /// <summary>
    /// The samples of <paramref name="current"/>. Without <paramref name="previous"/> (the first reading)
    /// there are no rates yet: only memory. <paramref name="problem"/> (what the host said on stderr) is
    /// the error of every metric the reading lacks.
    /// </summary>
    public static List<MetricSample> Compare(string host, DateTimeOffset time, ProcReading? previous, ProcReading current, string? problem)
    {
        var samples = new List<MetricSample>
        {
            Sample(host, MetricNames.MemoryPercent, time, current.Memory is { } m
                ? (100.0 * (m.TotalKb - Math.Min(m.AvailableKb, m.TotalKb)) / m.TotalKb, null)
                : (null, Missing("MemTotal and MemAvailable in /proc/meminfo", problem))),
        };

        if (previous is null)
        {
            return samples;
        }

        if (previous.Uptime is not { } before || current.Uptime is not { } now)
        {
            AddAll(samples, host, time, Missing("/proc/uptime", problem));
            return samples;
        }

        if (now < before)
        {
            AddAll(samples, host, time, $"the host restarted between two readings (uptime {before:0.##}s, then {now:0.##}s): rates start again with the next reading");
            return samples;
        }

        if (now == before)
        {
            AddAll(samples, host, time, "two readings within the host's clock tick (/proc/uptime moves by 10 ms): no rate yet");
            return samples;
        }

        var seconds = now - before;
        samples.Add(Sample(host, MetricNames.CpuPercent, time, Cpu(previous.Cpu, current.Cpu, problem)));
        var disk = Sum(previous.Disks, current.Disks);
        var diskMissing = Missing("/proc/diskstats", problem);
        samples.Add(Sample(host, MetricNames.DiskReadBytesPerSecond, time, disk is { } d ? (d.A * SectorBytes / seconds, null) : (null, diskMissing)));
        samples.Add(Sample(host, MetricNames.DiskWriteBytesPerSecond, time, disk is { } w ? (w.B * SectorBytes / seconds, null) : (null, diskMissing)));
        var net = Sum(previous.Interfaces, current.Interfaces);
        var netMissing = Missing("/proc/net/dev", problem);
        samples.Add(Sample(host, MetricNames.NetRxBytesPerSecond, time, net is { } r ? (r.A / seconds, null) : (null, netMissing)));
        samples.Add(Sample(host, MetricNames.NetTxBytesPerSecond, time, net is { } t ? (t.B / seconds, null) : (null, netMissing)));
        return samples;
    }

    /// <summary>Every host metric missing, with the same error (the read failed).</summary>
    public static List<MetricSample> AllMissing(string host, DateTimeOffset time, string error) =>
        [.. MetricNames.HostMetrics.Select(metric => MetricSample.Missing(host, metric, time, error))];

    private static (double?, string?) Cpu((ulong Busy, ulong Total)? before, (ulong Busy, ulong Total)? now, string? problem)
    {
        if (before is not { } b || now is not { } n)
        {
            return (null, Missing("the cpu line of /proc/stat", problem));
        }

        return n.Total > b.Total && n.Busy >= b.Busy
            ? (Math.Clamp(100.0 * (n.Busy - b.Busy) / (n.Total - b.Total), 0, 100), null)
            : (null, "no CPU time passed between two readings of /proc/stat");
    }

    /// <summary>The increase of both counters summed over the devices present in both readings, or null when either lacks the file.</summary>
    private static (double A, double B)? Sum(
        IReadOnlyDictionary<string, (ulong, ulong)>? before, IReadOnlyDictionary<string, (ulong, ulong)>? now)
    {
        if (before is null || now is null)
        {
            return null;
        }

        double a = 0, b = 0;
        foreach (var (name, (a1, b1)) in now)
        {
            if (before.TryGetValue(name, out var old) && a1 >= old.Item1 && b1 >= old.Item2)
            {
                a += a1 - old.Item1;
                b += b1 - old.Item2;
            }
        }

        return (a, b);
    }

    private static void AddAll(List<MetricSample> samples, string host, DateTimeOffset time, string error) =>
        samples.AddRange(MetricNames.HostMetrics.Where(m => m != MetricNames.MemoryPercent)
            .Select(metric => MetricSample.Missing(host, metric, time, error)));

    private static MetricSample Sample(string host, string metric, DateTimeOffset time, (double? Value, string? Error) value) =>
        new(host, metric, new MetricPoint(time, value.Value, value.Value is null ? value.Error : null));

    private static string Missing(string what, string? problem) =>
        $"no {what} in the reading" + (string.IsNullOrWhiteSpace(problem) ? "" : $": {problem.Trim()}");
}
