using Downshift.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Monitoring;

public sealed class HostSamplerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 22, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider time = new(Start);

    [Fact]
    public async Task SampleAsync_FirstReading_GivesMemoryOnly()
    {
        // Given a host with 25% of its memory in use
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok(new ProcText().ToString()));

        // When it is read once
        var samples = await new HostSampler(host, time).SampleAsync(Ct);

        // Then only memory has a point: a rate needs two readings
        var memory = Assert.Single(samples);
        Assert.Equal(MetricNames.MemoryPercent, memory.Metric);
        Assert.Equal(25.0, memory.Point.Value);
        Assert.Equal(Start, memory.Point.Time);
    }

    [Fact]
    public async Task SampleAsync_TwoReadings_RatesOverTheHostsOwnUptime()
    {
        // Given two readings 2 s apart by the host's uptime (the controller's clock says 3 s: the wire was slow)
        var answers = new Queue<ProcText>(
        [
            new ProcText(),
            new ProcText
            {
                Uptime = 1002, CpuBusy = 1000 + 50, CpuIdle = 9000 + 150, MemAvailableKb = 500_000,
                SectorsRead = 10_000 + 8, SectorsWritten = 20_000 + 4000, RxBytes = 1_000_000 + 3000, TxBytes = 2_000_000 + 1000,
            },
        ]);
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok(answers.Dequeue().ToString()));
        var sampler = new HostSampler(host, time);
        await sampler.SampleAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(3));

        // When it is read again
        var samples = (await sampler.SampleAsync(Ct)).ToDictionary(s => s.Metric, s => s.Point);

        // Then CPU is busy jiffies over all jiffies, and bytes per second use the 2 s the host saw
        Assert.Equal(MetricNames.HostMetrics.Order(), samples.Keys.Order());
        Assert.Equal(25.0, samples[MetricNames.CpuPercent].Value);
        Assert.Equal(50.0, samples[MetricNames.MemoryPercent].Value);
        Assert.Equal(8 * 512 / 2.0, samples[MetricNames.DiskReadBytesPerSecond].Value);
        Assert.Equal(4000 * 512 / 2.0, samples[MetricNames.DiskWriteBytesPerSecond].Value);
        Assert.Equal(1500.0, samples[MetricNames.NetRxBytesPerSecond].Value);
        Assert.Equal(500.0, samples[MetricNames.NetTxBytesPerSecond].Value);
        Assert.All(samples.Values, p => Assert.Equal(Start.AddSeconds(3), p.Time));
        Assert.All(samples.Values, p => Assert.Null(p.Error));
    }

    [Fact]
    public async Task SampleAsync_TransportFails_EveryMetricNullWithTheErrorThenRecovers()
    {
        // Given a host that answers, then cannot be reached, then answers again
        var step = 0;
        var host = new ScriptedHost("h1", (_, _) => ++step switch
        {
            1 => ScriptedHost.Ok(new ProcText().ToString()),
            2 => throw DownshiftException.HostUnreachable("h1", "connection refused"),
            _ => ScriptedHost.Ok(new ProcText { Uptime = 1010, CpuBusy = 1000 + 100, CpuIdle = 9000 + 900 }.ToString()),
        });
        var sampler = new HostSampler(host, time);
        await sampler.SampleAsync(Ct);

        // When the host cannot be reached
        var failed = await sampler.SampleAsync(Ct);

        // Then every metric is a null point that says why: missing, never zero
        Assert.Equal(MetricNames.HostMetrics, failed.Select(s => s.Metric));
        Assert.All(failed, s => Assert.Null(s.Point.Value));
        Assert.All(failed, s => Assert.Contains("connection refused", s.Point.Error, StringComparison.Ordinal));

        // And the next good reading has rates again, over the time since the last good one
        var recovered = (await sampler.SampleAsync(Ct)).ToDictionary(s => s.Metric, s => s.Point);
        Assert.Equal(10.0, recovered[MetricNames.CpuPercent].Value);
        Assert.Equal(0.0, recovered[MetricNames.NetRxBytesPerSecond].Value);
    }

    [Fact]
    public async Task SampleAsync_CommandFailsWithoutOutput_EveryMetricNullWithTheOutput()
    {
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok("", "cat: /proc/stat: Permission denied\n", exitCode: 1));

        var samples = await new HostSampler(host, time).SampleAsync(Ct);

        Assert.Equal(6, samples.Count);
        Assert.All(samples, s => Assert.Contains("Permission denied", s.Point.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SampleAsync_DiskstatsUnreadable_DiskNullWithStderrOthersMeasured()
    {
        var answers = new Queue<string>([new ProcText { WithDiskstats = false }.ToString(), new ProcText { Uptime = 1001, WithDiskstats = false }.ToString()]);
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok(answers.Dequeue(), "cat: /proc/diskstats: No such file or directory\n", exitCode: 1));
        var sampler = new HostSampler(host, time);
        await sampler.SampleAsync(Ct);

        var samples = (await sampler.SampleAsync(Ct)).ToDictionary(s => s.Metric, s => s.Point);

        Assert.Null(samples[MetricNames.DiskReadBytesPerSecond].Value);
        Assert.Contains("/proc/diskstats: No such file", samples[MetricNames.DiskWriteBytesPerSecond].Error, StringComparison.Ordinal);
        Assert.Equal(0.0, samples[MetricNames.NetTxBytesPerSecond].Value);
        Assert.NotNull(samples[MetricNames.CpuPercent].Error); // no CPU time passed in these two canned readings
    }

    [Fact]
    public async Task SampleAsync_HostRestarted_RatesNullSayingSo()
    {
        var answers = new Queue<ProcText>([new ProcText { Uptime = 5000 }, new ProcText { Uptime = 12, CpuBusy = 5, CpuIdle = 20 }]);
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok(answers.Dequeue().ToString()));
        var sampler = new HostSampler(host, time);
        await sampler.SampleAsync(Ct);

        var samples = await sampler.SampleAsync(Ct);

        Assert.Equal(25.0, samples.Single(s => s.Metric == MetricNames.MemoryPercent).Point.Value);
        Assert.All(samples.Where(s => s.Metric != MetricNames.MemoryPercent),
            s => Assert.Contains("restarted", s.Point.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SampleAsync_TwoReadingsInOneClockTick_NoRateYetAndTheNextSpansBoth()
    {
        var answers = new Queue<ProcText>(
        [
            new ProcText(),
            new ProcText { CpuBusy = 1000 + 1, CpuIdle = 9000 + 1 },
            new ProcText { Uptime = 1001, CpuBusy = 1000 + 30, CpuIdle = 9000 + 70 },
        ]);
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok(answers.Dequeue().ToString()));
        var sampler = new HostSampler(host, time);
        await sampler.SampleAsync(Ct);

        var same = await sampler.SampleAsync(Ct);
        var next = await sampler.SampleAsync(Ct);

        Assert.Contains("clock tick", same.Single(s => s.Metric == MetricNames.CpuPercent).Point.Error, StringComparison.Ordinal);
        Assert.Equal(30.0, next.Single(s => s.Metric == MetricNames.CpuPercent).Point.Value);
    }

    [Fact]
    public async Task SampleAsync_Command_IsOneSmallUnjournaledCommandWithoutPipelinesOrPython()
    {
        var host = new ScriptedHost("h1", (_, _) => ScriptedHost.Ok(new ProcText().ToString()));

        await new HostSampler(host, time) { CommandTimeout = TimeSpan.FromSeconds(2) }.SampleAsync(Ct);

        var command = Assert.Single(host.Commands);
        Assert.False(command.Journaled);
        Assert.Equal(TimeSpan.FromSeconds(2), command.Timeout);
        Assert.DoesNotContain("|", command.Script, StringComparison.Ordinal);
        Assert.DoesNotContain("python", command.Script, StringComparison.Ordinal);
        Assert.Contains("exec cat /proc/uptime /proc/stat /proc/meminfo /proc/diskstats /proc/net/dev", command.Script, StringComparison.Ordinal);
    }
}
