using System.Threading.Channels;
using Downshift.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Monitoring;

/// <summary>Runs a <see cref="MetricMonitor"/> on fake time: the test moves the clock and reads each batch as it comes.</summary>
internal sealed class MonitorDriver
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 22, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly Channel<MonitorBatch> channel = Channel.CreateUnbounded<MonitorBatch>();
    private readonly CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private Task? running;

    public FakeTimeProvider Time { get; } = new(Start);

    public List<MonitorBatch> Batches { get; } = [];

    /// <summary>For <see cref="MetricMonitor.OnBatch"/>.</summary>
    public Task OnBatch(MonitorBatch batch, CancellationToken cancellationToken)
    {
        channel.Writer.TryWrite(batch);
        return Task.CompletedTask;
    }

    public async Task<MonitorBatch> NextAsync()
    {
        var batch = await channel.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
        Batches.Add(batch);
        return batch;
    }

    /// <summary>Runs the monitor until <see cref="StopAsync"/>, and waits for its first batch.</summary>
    public async Task<MonitorBatch> StartAsync(MetricMonitor monitor)
    {
        running = monitor.RunAsync(stop.Token);
        return await NextAsync();
    }

    /// <summary>Cancels the run started by <see cref="StartAsync"/>: it ends with the cancellation.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running!.WaitAsync(Bound, TestContext.Current.CancellationToken));
        stop.Dispose();
    }

    /// <summary>Moves the clock a second and waits for the tick's batch.</summary>
    public Task<MonitorBatch> TickAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return NextAsync();
    }

    /// <summary>
    /// Moves the clock a second at a time (a short real pause between, for readings that wait on the clock)
    /// until the batches seen satisfy <paramref name="done"/>; fails after <paramref name="seconds"/>.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<IReadOnlyList<MonitorBatch>, bool> done, int seconds)
    {
        for (var i = 0; i < seconds && !done(Batches); i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(30, TestContext.Current.CancellationToken);
            while (channel.Reader.TryRead(out var batch))
            {
                Batches.Add(batch);
            }
        }

        Assert.True(done(Batches), $"not after {seconds} fake seconds; {Batches.Count} batches");
    }

    /// <summary>A host whose every reading is one second of uptime later, with 10% CPU busy.</summary>
    public static ScriptedHost SteadyHost(string name)
    {
        var reading = 0;
        return new ScriptedHost(name, (command, _) =>
        {
            var n = Interlocked.Increment(ref reading);
            return ScriptedHost.Ok(new ProcText { Uptime = 1000 + n, CpuBusy = 1000 + ((ulong)n * 10), CpuIdle = 9000 + ((ulong)n * 90) }.ToString());
        });
    }
}
