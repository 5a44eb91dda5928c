using Downshift.Monitoring;

namespace Downshift.Tests.Monitoring;

public sealed class BaselineTests
{
    private static readonly DateTimeOffset Start = MonitorDriver.Start;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void From_Series_MeanPercentilesMaxAndCounts()
    {
        // Given 1..20 with two missing points among them
        var points = Enumerable.Range(1, 20).Select(i => new MetricPoint(Start.AddSeconds(i), i)).ToList();
        points.Insert(5, new MetricPoint(Start.AddSeconds(5.5), null, "timeout"));
        points.Add(new MetricPoint(Start.AddSeconds(21), null, "timeout"));

        // When the baseline is taken
        var baseline = Baseline.From([new MetricSeries("h1", MetricNames.CpuPercent, points)], Start, Start.AddMinutes(1));

        // Then the statistics are over the values, and the missing points are counted apart
        var cpu = baseline.Find("h1", MetricNames.CpuPercent)!;
        Assert.Equal(10.5, cpu.Mean);
        Assert.Equal(10.5, cpu.P50);
        Assert.Equal(19.05, cpu.P95!.Value, 9);
        Assert.Equal(20, cpu.Max);
        Assert.Equal(20, cpu.SampleCount);
        Assert.Equal(2, cpu.MissingCount);
    }

    [Fact]
    public void From_PointsOutsideTheWindow_AreLeftOut()
    {
        var points = new[] { new MetricPoint(Start.AddSeconds(-1), 1000), new MetricPoint(Start, 1), new MetricPoint(Start.AddSeconds(10), 3), new MetricPoint(Start.AddSeconds(11), 1000) };

        var stats = Baseline.From([new MetricSeries("h1", MetricNames.MemoryPercent, points)], Start, Start.AddSeconds(10)).Metrics.Single();

        Assert.Equal(2.0, stats.Mean);
        Assert.Equal(2, stats.SampleCount);
    }

    [Fact]
    public void From_NothingButMissingPoints_NoStatisticsInconclusive()
    {
        var points = new[] { new MetricPoint(Start, null, "down"), new MetricPoint(Start.AddSeconds(1), null, "down") };

        var stats = Baseline.From([new MetricSeries("h1", MetricNames.CpuPercent, points)], Start, Start.AddSeconds(1)).Metrics.Single();

        Assert.Equal(new BaselineStats("h1", MetricNames.CpuPercent, null, null, null, null, 0, 2), stats);
    }

    [Fact]
    public async Task RecordAsync_Duration_RunsTheMonitorAndGivesItsStatistics()
    {
        // Given a monitor of a host at 10% CPU and 25% memory
        var driver = new MonitorDriver();
        using var monitor = new MetricMonitor(new MonitorSpec(), [MonitorDriver.SteadyHost("h1")], driver.Time) { OnBatch = driver.OnBatch };

        // When a 5 s baseline is recorded
        var recording = new BaselineRecorder(monitor, driver.Time).RecordAsync(TimeSpan.FromSeconds(5), Ct);
        await driver.NextAsync();
        for (var i = 0; i < 5; i++)
        {
            await driver.TickAsync();
        }

        var baseline = await recording.WaitAsync(Bound, Ct);

        // Then it spans the 5 s and holds every metric of the host
        Assert.Equal((Start, Start.AddSeconds(5)), (baseline.Start, baseline.End));
        Assert.Equal(MetricNames.HostMetrics.Order(), baseline.Metrics.Select(m => m.Metric).Order());
        var cpu = baseline.Find("h1", MetricNames.CpuPercent)!;
        Assert.Equal((10.0, 5, 0), (cpu.Mean!.Value, cpu.SampleCount, cpu.MissingCount));
        Assert.Equal(6, baseline.Find("h1", MetricNames.MemoryPercent)!.SampleCount);
    }
}
