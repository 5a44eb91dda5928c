using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.IntegrationTests.Monitoring;

/// <summary>Monitoring on this machine through <see cref="LocalTransport"/>: real /proc, real files, a real journal.</summary>
public sealed class LocalMonitoringTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempDirectory temp = new("downshift-monitoring-");
    private readonly LocalTransport local = new(TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task HostSampler_ThisMachine_EveryMetricMeasuredAndDiskWritesSeen()
    {
        // Given a first reading of this machine
        var sampler = new HostSampler(local, TimeProvider.System);
        var first = await sampler.SampleAsync(Ct).WaitAsync(Bound, Ct);
        var started = TimeProvider.System.GetTimestamp();

        // When 32 MiB go to the disk, past the page cache
        var write = await local.RunAsync(
            new HostCommand($"dd if=/dev/zero of={Sh.Quote(temp.Combine("blob"))} bs=1M count=32 oflag=direct status=none && sync"), Ct).WaitAsync(Bound, Ct);
        Assert.True(write.Succeeded, write.Output);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // rates use the host's uptime (10 ms steps): a longer span, a closer figure
        var second = (await sampler.SampleAsync(Ct).WaitAsync(Bound, Ct)).ToDictionary(s => s.Metric, s => s.Point);
        var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;

        // Then every metric has a value, in range, and the written bytes show in the write rate
        Assert.Equal(MetricNames.MemoryPercent, Assert.Single(first).Metric);
        Assert.Equal(MetricNames.HostMetrics.Order(), second.Keys.Order());
        Assert.All(second.Values, p => Assert.True(p.Value is >= 0 && p.Error is null, $"{p}"));
        Assert.InRange(second[MetricNames.CpuPercent].Value!.Value, 0, 100);
        Assert.InRange(second[MetricNames.MemoryPercent].Value!.Value, 0.1, 100);
        var written = second[MetricNames.DiskWriteBytesPerSecond].Value!.Value * seconds;
        Assert.True(written >= 0.9 * 32 * 1024 * 1024, $"{written:0} bytes written in {seconds:0.###}s");
    }

    [Fact]
    public async Task LogWatch_RealFile_AppendsPartialLinesTruncationRotationAndRemoval()
    {
        // Given a log with lines already in it, watched for ERROR (a fake clock: a minute between reads)
        var path = temp.Combine("shop.log");
        await File.WriteAllTextAsync(path, "ERROR before the watch\ninfo\n", Ct);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var watch = new LogWatch(new LogWatchSpec("errors", path, "ERROR"), local, clock);
        async Task<LogWatchRead> ReadAsync()
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            return await watch.ReadAsync(Ct).WaitAsync(Bound, Ct);
        }

        // When it is read first: it only finds the end
        var first = await ReadAsync();
        Assert.Null(first.Sample);
        Assert.Equal(new FileInfo(path).Length, watch.Offset);

        // Then lines appended count, a half-written line waits for its end
        await File.AppendAllTextAsync(path, "ERROR one\ninfo\nERROR two\nERROR half", Ct);
        Assert.Equal(2.0, (await ReadAsync()).Sample!.Point.Value);
        await File.AppendAllTextAsync(path, " done\n", Ct);
        Assert.Equal(1.0, (await ReadAsync()).Sample!.Point.Value);
        Assert.Equal(new FileInfo(path).Length, watch.Offset);
        Assert.Equal(0.0, (await ReadAsync()).Sample!.Point.Value);

        // And a truncated file is read from its start, and the read says so
        await File.WriteAllTextAsync(path, "ERROR after truncate\n", Ct);
        var truncated = await ReadAsync();
        Assert.Equal(1.0, truncated.Sample!.Point.Value);
        Assert.Contains("was truncated", truncated.Note, StringComparison.Ordinal);

        // And a rotated file (moved away, a new one in its place) too
        File.Move(path, path + ".1");
        await File.WriteAllTextAsync(path, "ERROR in the new file\nERROR again\n", Ct);
        var rotated = await ReadAsync();
        Assert.Equal(2.0, rotated.Sample!.Point.Value);
        Assert.Contains("was rotated", rotated.Note, StringComparison.Ordinal);

        // And a removed file is missing data, not zero; when it is back it is read from its start
        File.Delete(path);
        var gone = await ReadAsync();
        Assert.Null(gone.Sample!.Point.Value);
        Assert.Contains("no file", gone.Sample.Point.Error, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, "ERROR back\n", Ct);
        var back = await ReadAsync();
        Assert.Equal(1.0, back.Sample!.Point.Value);
        Assert.Contains("appeared", back.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BaselineRecorder_ThisMachineIntoTheJournal_TheJournalGivesTheSameBaseline()
    {
        // Given a journal with a run, and a monitor of this machine whose batches go to the journal
        await using var journal = await SqliteJournal.OpenAsync(temp.Combine("journal.db"), TimeProvider.System, Ct).WaitAsync(Bound, Ct);
        await journal.CreateRunAsync(new RunHeader
        {
            RunId = "run-1", PlanName = "shop", PlanPath = "plan.yaml", PlanHash = "h", PlanText = "t",
            Variables = new Dictionary<string, string>(), Operator = "alice", StartedAt = DateTimeOffset.UtcNow,
        }, Ct);
        var writer = new MetricJournalWriter(journal, "run-1", "alice", MetricJournal.BaselineStage, TimeProvider.System);
        using var http = new LoopbackHttp();
        var spec = new MonitorSpec { Interval = TimeSpan.FromMilliseconds(500), Probes = [new ProbeSpec("health", http.Url)] };
        using var monitor = new MetricMonitor(spec, [local], TimeProvider.System) { OnBatch = writer.AddAsync };

        // When a 3 s baseline is recorded and the writer flushed
        var baseline = await new BaselineRecorder(monitor, TimeProvider.System).RecordAsync(TimeSpan.FromSeconds(3), Ct).WaitAsync(Bound, Ct);
        await writer.FlushAsync(Ct);

        // Then it has every host metric and the probe's, measured; and the journal's series give the same baseline
        Assert.All(MetricNames.HostMetrics, m => Assert.True(baseline.Find("local", m)?.SampleCount >= 4, m));
        Assert.Equal(0.0, baseline.Find(MetricNames.FleetHost, MetricNames.HttpErrorRate("health"))!.Mean);
        Assert.True(baseline.Find(MetricNames.FleetHost, MetricNames.HttpLatencyP50("health"))!.P95 > 0);
        var stored = await new MetricJournal(journal, TimeProvider.System).ReadAsync("run-1", MetricJournal.BaselineStage, Ct);
        var fromJournal = Baseline.From(stored, FromUnixMs(baseline.Start), baseline.End);
        Assert.Equal(baseline.Metrics, fromJournal.Metrics);
    }

    /// <summary>The journal keeps times to the millisecond: the window starts at its millisecond.</summary>
    private static DateTimeOffset FromUnixMs(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
