using System.Text;
using Downshift.Hosts;

namespace Downshift.Tests.Monitoring;

/// <summary>A host whose answers the test decides: each command goes to <see cref="Answer"/>; the commands are kept.</summary>
internal sealed class ScriptedHost(string name, Func<HostCommand, CancellationToken, Task<CommandResult>> answer) : IHostTransport
{
    private readonly List<HostCommand> commands = [];

    public string HostName => name;

    public Func<HostCommand, CancellationToken, Task<CommandResult>> Answer { get; set; } = answer;

    public IReadOnlyList<HostCommand> Commands
    {
        get
        {
            lock (commands)
            {
                return [.. commands];
            }
        }
    }

    public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
    {
        lock (commands)
        {
            commands.Add(command);
        }

        return Answer(command, cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static Task<CommandResult> Ok(string stdout, string stderr = "", int exitCode = 0) =>
        Task.FromResult(new CommandResult(exitCode, Encoding.UTF8.GetBytes(stdout), stderr, TimeSpan.FromMilliseconds(5)));

    /// <summary>Never answers until cancelled (a host whose link is down).</summary>
    public static async Task<CommandResult> Hang(HostCommand command, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary>
/// The answer of <see cref="Downshift.Monitoring.HostSampler.Script"/> on a host with the given counters: one disk
/// (vda, with a partition and a loop device beside it) and one interface (eth0, with lo).
/// </summary>
internal sealed record ProcText
{
    public double Uptime { get; init; } = 1000;

    public ulong CpuBusy { get; init; } = 1000;

    public ulong CpuIdle { get; init; } = 9000;

    public ulong MemTotalKb { get; init; } = 1_000_000;

    public ulong MemAvailableKb { get; init; } = 750_000;

    public ulong SectorsRead { get; init; } = 10_000;

    public ulong SectorsWritten { get; init; } = 20_000;

    public ulong RxBytes { get; init; } = 1_000_000;

    public ulong TxBytes { get; init; } = 2_000_000;

    public bool WithDiskstats { get; init; } = true;

    public override string ToString()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice: busy split over user and system, idle over idle and iowait.
        var user = CpuBusy / 2;
        var system = CpuBusy - user;
        var iowait = CpuIdle / 10;
        var text = new StringBuilder()
            .Append("/sys/block/loop0 /sys/block/vda\n")
            .Append($"{Uptime:0.00} 1234.50\n")
            .Append($"cpu  {user} 0 {system} {CpuIdle - iowait} {iowait} 0 0 0 0 0\n")
            .Append("cpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345 1 2 3\nctxt 999\nbtime 1700000000\nprocesses 42\nprocs_running 1\n")
            .Append($"MemTotal:       {MemTotalKb} kB\nMemFree:          100000 kB\nMemAvailable:   {MemAvailableKb} kB\nBuffers:            1000 kB\nHugePages_Total:       0\n");
        if (WithDiskstats)
        {
            text.Append("   7       0 loop0 5000 0 999999 10 0 0 0 0 0 10 10 0 0 0 0 0 0\n")
                .Append($" 254       0 vda 100 10 {SectorsRead} 50 200 20 {SectorsWritten} 60 0 90 110 0 0 0 0 0 0\n")
                .Append($" 254       1 vda1 90 9 {SectorsRead} 40 180 18 {SectorsWritten} 50 0 80 100 0 0 0 0 0 0\n");
        }

        return text
            .Append("Inter-|   Receive                                                |  Transmit\n")
            .Append(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n")
            .Append("    lo: 999999999 100 0 0 0 0 0 0 999999999 100 0 0 0 0 0 0\n")
            .Append($"  eth0: {RxBytes} 1000 0 0 0 0 0 0 {TxBytes} 900 0 0 0 0 0 0\n")
            .ToString();
    }
}
