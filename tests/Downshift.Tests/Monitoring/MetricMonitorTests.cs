using Downshift.Hosts;
using Downshift.Monitoring;

namespace Downshift.Tests.Monitoring;

public sealed class MetricMonitorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly MonitorDriver driver = new();

    [Fact]
    public async Task RunAsync_ForADuration_ReadsAtOnceThenEveryIntervalAndEnds()
    {
        // Given two hosts that answer
        using var monitor = new MetricMonitor(new MonitorSpec(), [MonitorDriver.SteadyHost("h1"), MonitorDriver.SteadyHost("h2")], driver.Time)
        {
            OnBatch = driver.OnBatch,
        };

        // When it runs for 3 s
        var run = monitor.RunAsync(TimeSpan.FromSeconds(3), Ct);
        var first = await driver.NextAsync();
        for (var i = 0; i < 3; i++)
        {
            await driver.TickAsync();
        }

        await run.WaitAsync(Bound, Ct);

        // Then the first tick primes (memory only), the next three measure: every host, every metric
        Assert.Equal(["h1", "h2"], first.Samples.Select(s => s.Host).Order());
        Assert.All(first.Samples, s => Assert.Equal(MetricNames.MemoryPercent, s.Metric));
        var snapshot = monitor.Snapshot();
        Assert.Equal(12, snapshot.Count);
        Assert.Equal(["h1", "h1", "h1", "h1", "h1", "h1", "h2", "h2", "h2", "h2", "h2", "h2"], snapshot.Select(s => s.Host));
        var cpu = monitor.Find("h1", MetricNames.CpuPercent)!;
        Assert.Equal([10.0, 10.0, 10.0], cpu.Points.Select(p => p.Value!.Value));
        Assert.Equal([1, 2, 3], cpu.Points.Select(p => (int)(p.Time - MonitorDriver.Start).TotalSeconds));
        Assert.Equal(4, monitor.Find("h2", MetricNames.MemoryPercent)!.Points.Count);
    }

    [Fact]
    public async Task Snapshot_MorePointsThanTheRing_KeepsTheNewest()
    {
        using var monitor = new MetricMonitor(new MonitorSpec { RingCapacity = 3 }, [MonitorDriver.SteadyHost("h1")], driver.Time)
        {
            OnBatch = driver.OnBatch,
        };

        var run = monitor.RunAsync(TimeSpan.FromSeconds(6), Ct);
        await driver.NextAsync();
        for (var i = 0; i < 6; i++)
        {
            await driver.TickAsync();
        }

        await run.WaitAsync(Bound, Ct);

        var memory = monitor.Find("h1", MetricNames.MemoryPercent)!;
        Assert.Equal([4, 5, 6], memory.Points.Select(p => (int)(p.Time - MonitorDriver.Start).TotalSeconds));
    }

    [Fact]
    public async Task RunAsync_AHostFails_ItsPointsAreNullWithTheErrorTheOthersGoOnAndItComesBack()
    {
        // Given h2 whose readings fail from the second one on
        var h2 = MonitorDriver.SteadyHost("h2");
        var steady = h2.Answer;
        using var monitor = new MetricMonitor(new MonitorSpec(), [MonitorDriver.SteadyHost("h1"), h2], driver.Time) { OnBatch = driver.OnBatch };
        await driver.StartAsync(monitor);

        // When h2 cannot be reached for two ticks
        h2.Answer = (_, _) => throw DownshiftException.HostUnreachable("h2", "no route to host");
        var down = new[] { await driver.TickAsync(), await driver.TickAsync() };

        // Then its points are null with the error, h1 is measured
        foreach (var batch in down)
        {
            Assert.All(batch.Samples.Where(s => s.Host == "h2"), s => Assert.Contains("no route to host", s.Point.Error, StringComparison.Ordinal));
            Assert.Equal(6, batch.Samples.Count(s => s.Host == "h2" && s.Point.Value is null));
            Assert.Equal(6, batch.Samples.Count(s => s.Host == "h1" && s.Point.Value is not null));
        }

        // And when it answers again, it is measured again
        h2.Answer = steady;
        var back = await driver.TickAsync();
        Assert.Equal(6, back.Samples.Count(s => s.Host == "h2" && s.Point.Value is not null));
        await driver.StopAsync();
    }

    [Fact]
    public async Task RunAsync_AHostHangs_NullPointsOnTimeNoCommandsPileUpAndItComesBack()
    {
        // Given h2 that stops answering: its command ends only at its own timeout (5 s)
        var h2 = MonitorDriver.SteadyHost("h2");
        var steady = h2.Answer;
        using var monitor = new MetricMonitor(new MonitorSpec(), [MonitorDriver.SteadyHost("h1"), h2], driver.Time) { OnBatch = driver.OnBatch };
        await driver.StartAsync(monitor);
        h2.Answer = async (command, ct) =>
        {
            await Task.Delay(command.Timeout, driver.Time, ct);
            throw DownshiftException.CommandTimedOut("h2", command.DisplayText, command.Timeout);
        };

        // When 4 s pass
        await driver.AdvanceUntilAsync(b => b.Count >= 5, seconds: 4);

        // Then every tick has h1's values and h2's null points: first "did not answer", then "has not answered yet"
        var errors = driver.Batches.Skip(1).Select(b => b.Samples.First(s => s.Host == "h2").Point.Error).ToList();
        Assert.Contains("h2 did not answer within 1s", errors[0], StringComparison.Ordinal);
        Assert.Contains(errors.Skip(1), e => e!.Contains("has not answered yet", StringComparison.Ordinal));
        Assert.All(driver.Batches.Skip(1), b => Assert.Equal(6, b.Samples.Count(s => s.Host == "h1" && s.Point.Value is not null)));
        Assert.Equal(2, h2.Commands.Count); // the priming read and the one that hangs: no pile-up

        // And once the hung command timed out and h2 answers again, it is measured again
        h2.Answer = steady;
        await driver.AdvanceUntilAsync(b => b[^1].Samples.Any(s => s.Host == "h2" && s.Metric == MetricNames.MemoryPercent && s.Point.Value is not null), seconds: 10);
        await driver.StopAsync();
    }

    [Fact]
    public async Task RunAsync_TheBatchHandlerThrows_TheMonitorGoesOnAndSaysSo()
    {
        var calls = 0;
        using var monitor = new MetricMonitor(new MonitorSpec(), [MonitorDriver.SteadyHost("h1")], driver.Time)
        {
            OnBatch = (batch, ct) => ++calls == 1 ? throw new InvalidOperationException("rule evaluator broke") : driver.OnBatch(batch, ct),
        };

        var run = monitor.RunAsync(TimeSpan.FromSeconds(2), Ct);
        var second = await driver.TickAsync();
        await driver.TickAsync();
        await run.WaitAsync(Bound, Ct);

        Assert.Contains("rule evaluator broke", Assert.Single(second.Notes), StringComparison.Ordinal);
        Assert.Equal(3, monitor.Find("h1", MetricNames.MemoryPercent)!.Points.Count);
    }

    [Fact]
    public async Task RunAsync_WithProbesAndLogWatches_BatchesHoldTheirSeries()
    {
        // Given a probe (a stub server answering 200) and a log watch on h1 whose file grows by two error lines a second
        var log = new FakeLogFile();
        var h1 = MonitorDriver.SteadyHost("h1");
        var proc = h1.Answer;
        h1.Answer = (command, ct) => log.IsLogRead(command) ? log.Answer(command) : proc(command, ct);
        using var server = new StubHandler((_, _) => StubHandler.Status(200));
        var spec = new MonitorSpec
        {
            Probes = [new ProbeSpec("api", "http://shop.test/health") { Host = "h1" }],
            LogWatches = [new LogWatchSpec("errors", "/var/log/shop.log", "ERROR")],
        };
        using var monitor = new MetricMonitor(spec, [h1], driver.Time, server) { OnBatch = driver.OnBatch };

        // When it runs for 2 s
        var run = monitor.RunAsync(TimeSpan.FromSeconds(2), Ct);
        await driver.NextAsync();
        log.Content += "ERROR a\nERROR b\ninfo c\n";
        await driver.TickAsync();
        log.Content += "ERROR a\nERROR b\ninfo c\n";
        await driver.TickAsync();
        await run.WaitAsync(Bound, Ct);

        // Then the probe's and the log's series are there beside the host's
        Assert.Equal(0.0, monitor.Find("h1", MetricNames.HttpErrorRate("api"))!.Points[^1].Value);
        Assert.True(server.Requests >= 2);
        Assert.Equal([120.0, 120.0], monitor.Find("h1", MetricNames.LogPerMinute("errors"))!.Points.Select(p => p.Value!.Value));
    }

    [Fact]
    public void Constructor_InvalidSpec_RefusedWithEveryError()
    {
        var spec = new MonitorSpec
        {
            Interval = TimeSpan.Zero,
            Hosts = ["h9"],
            Probes = [new ProbeSpec("api", "ftp://x"), new ProbeSpec("api", "http://x") { Method = "get" }],
            LogWatches = [new LogWatchSpec("Bad.Name", "relative.log", "(")],
        };

        var error = Assert.Throws<DownshiftException>(() => new MetricMonitor(spec, [MonitorDriver.SteadyHost("h1")], driver.Time));

        foreach (var part in new[] { "interval:", "the name 'api' is used twice", "probes.api.url:", "probes.api.method:", "'Bad.Name' is not a valid name", "path:", "pattern:", "'h9' is not among the hosts" })
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_Twice_AtOnce_IsRefused()
    {
        IHostTransport host = MonitorDriver.SteadyHost("h1");
        using var monitor = new MetricMonitor(new MonitorSpec(), [host], driver.Time) { OnBatch = driver.OnBatch };
        await driver.StartAsync(monitor);

        await Assert.ThrowsAsync<DownshiftException>(() => monitor.RunAsync(Ct));

        await driver.StopAsync();
    }
}
