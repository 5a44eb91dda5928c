using System.Globalization;

namespace Downshift.Monitoring.Internal;

/// <summary>
/// The counters of one read of /proc on a host (see <see cref="HostSampler.Script"/>): the answer is
/// <c>echo /sys/block/*</c> then <c>cat</c> of /proc/uptime, stat, meminfo, diskstats and net/dev, told
/// apart by the shape of their lines (cat leaves out a file it cannot read, so no position is assumed).
/// A part that is missing stays null.
/// </summary>
internal sealed record ProcReading
{
    private const string BlockPrefix = "/sys/block/";
    private static readonly string[] VirtualDisks = ["loop", "ram", "zram", "dm-", "md", "nbd"];

    /// <summary>Seconds since the host booted: the host's own clock for rates.</summary>
    public double? Uptime { get; init; }

    /// <summary>Jiffies of the <c>cpu</c> line: busy (all but idle and iowait) and total.</summary>
    public (ulong Busy, ulong Total)? Cpu { get; init; }

    /// <summary>MemTotal and MemAvailable in KiB (MemFree + Buffers + Cached on kernels without MemAvailable).</summary>
    public (ulong TotalKb, ulong AvailableKb)? Memory { get; init; }

    /// <summary>Sectors (512 bytes) read and written per whole, physical disk.</summary>
    public IReadOnlyDictionary<string, (ulong Read, ulong Written)>? Disks { get; init; }

    /// <summary>Bytes received and sent per interface, <c>lo</c> left out.</summary>
    public IReadOnlyDictionary<string, (ulong Rx, ulong Tx)>? Interfaces { get; init; }

    public static ProcReading Parse(string text)
    {
        HashSet<string>? blockDevices = null;
        double? uptime = null;
        (ulong, ulong)? cpu = null;
        var memory = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var disks = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
        Dictionary<string, (ulong, ulong)>? interfaces = null;
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (interfaces is not null)
            {
                ReadInterface(line, interfaces);
            }
            else if (fields[0].StartsWith(BlockPrefix, StringComparison.Ordinal))
            {
                blockDevices = [.. fields.Select(f => f[BlockPrefix.Length..]).Where(n => n != "*")];
            }
            else if (fields[0] == "cpu" && fields.Length >= 5)
            {
                cpu = ReadCpu(fields);
            }
            else if (fields[0].EndsWith(':') && fields.Length >= 2 && ulong.TryParse(fields[1], CultureInfo.InvariantCulture, out var kb))
            {
                memory[fields[0][..^1]] = kb;
            }
            else if (fields[0].StartsWith("Inter-|", StringComparison.Ordinal))
            {
                interfaces = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
            }
            else if (fields.Length >= 10 && IsNumber(fields[0]) && IsNumber(fields[1]) && !IsNumber(fields[2]))
            {
                disks[fields[2]] = (Number(fields[5]), Number(fields[9]));
            }
            else if (uptime is null && fields.Length == 2 && fields[0].Contains('.')
                     && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                uptime = seconds;
            }
        }

        return new ProcReading
        {
            Uptime = uptime,
            Cpu = cpu,
            Memory = ReadMemory(memory),
            Disks = disks.Count == 0 ? null : WholeDisks(disks, blockDevices),
            Interfaces = interfaces,
        };
    }

    private static (ulong, ulong) ReadCpu(string[] fields)
    {
        // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user and nice).
        var values = fields.Skip(1).Take(8).Select(Number).ToArray();
        var total = values.Aggregate(0UL, (sum, v) => sum + v);
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        return (total - idle, total);
    }

    private static (ulong, ulong)? ReadMemory(Dictionary<string, ulong> memory)
    {
        if (!memory.TryGetValue("MemTotal", out var total) || total == 0)
        {
            return null;
        }

        if (memory.TryGetValue("MemAvailable", out var available))
        {
            return (total, available);
        }

        return memory.TryGetValue("MemFree", out var free)
            ? (total, free + memory.GetValueOrDefault("Buffers") + memory.GetValueOrDefault("Cached"))
            : null;
    }

    private static void ReadInterface(string line, Dictionary<string, (ulong, ulong)> interfaces)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return;
        }

        var name = line[..colon].Trim();
        var values = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (name != "lo" && values.Length >= 9 && IsNumber(values[0]) && IsNumber(values[8]))
        {
            interfaces[name] = (Number(values[0]), Number(values[8]));
        }
    }

    /// <summary>
    /// Whole disks only, so a partition's I/O is not counted twice: the names under /sys/block when the
    /// host listed them, else every name no other name is a prefix of (sda, not sda1); never the
    /// virtual ones (loop, ram, zram, device-mapper, md, nbd), whose I/O lands on a physical disk too.
    /// </summary>
    private static Dictionary<string, (ulong, ulong)> WholeDisks(Dictionary<string, (ulong, ulong)> disks, HashSet<string>? blockDevices) =>
        disks.Where(d => !VirtualDisks.Any(prefix => d.Key.StartsWith(prefix, StringComparison.Ordinal)))
            .Where(d => blockDevices is { Count: > 0 }
                ? blockDevices.Contains(d.Key)
                : !disks.Keys.Any(other => other != d.Key && d.Key.StartsWith(other, StringComparison.Ordinal)))
            .ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);

    private static bool IsNumber(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static ulong Number(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);
}
