using Downshift.Hosts;
using Downshift.Monitoring.Internal;

namespace Downshift.Monitoring;

/// <summary>
/// Runs a <see cref="MonitorSpec"/>: every interval it reads each host (system metrics and log watches,
/// hosts at once), runs the Prometheus queries meanwhile, and closes each probe's window (the probes
/// send at their own pace meanwhile), keeps
/// every series in a ring of <see cref="MonitorSpec.RingCapacity"/> points, and hands the tick's
/// <see cref="MonitorBatch"/> to <see cref="OnBatch"/> (where a rule evaluator or a
/// <see cref="MetricJournalWriter"/> runs). A reading or a probe that fails is a null point with its
/// error; a host that does not answer within the interval is one too, and its next reading starts when
/// the hung one has ended. Nothing that fails stops the monitor; only the caller's cancellation or the
/// end of the duration does. Not named <c>Monitor</c>: that is <see cref="System.Threading.Monitor"/>,
/// which every file imports.
/// </summary>
public sealed class MetricMonitor : IDisposable
{
    private readonly TimeProvider timeProvider;
    private readonly HttpClient? client;
    private readonly List<HostLane> lanes;
    private readonly List<HttpProbe> probes;
    private readonly PrometheusLane? prometheus;
    private readonly SeriesStore store;
    private readonly List<string> pendingNotes = [];
    private int running;

    /// <summary>Monitors <paramref name="hosts"/> (those <see cref="MonitorSpec.Hosts"/> names, or all); probes and Prometheus queries use one handler of their own.</summary>
    /// <exception cref="DownshiftException">The spec is not valid, or names a host that is not given.</exception>
    public MetricMonitor(MonitorSpec spec, IReadOnlyList<IHostTransport> hosts, TimeProvider timeProvider)
        : this(spec, hosts, timeProvider, spec.Probes.Count > 0 || spec.Prometheus is not null ? HttpProbe.CreateHandler() : null)
    {
    }

    /// <summary>For tests: probes and Prometheus queries send through <paramref name="handler"/>, which the monitor disposes.</summary>
    internal MetricMonitor(MonitorSpec spec, IReadOnlyList<IHostTransport> hosts, TimeProvider timeProvider, HttpMessageHandler? handler)
    {
        var errors = spec.Validate().ToList();
        var byName = hosts.ToDictionary(h => h.HostName, StringComparer.Ordinal);
        var names = spec.Hosts.Count > 0 ? spec.Hosts : [.. hosts.Select(h => h.HostName)];
        errors.AddRange(names.Where(n => !byName.ContainsKey(n)).Select(n => $"hosts: '{n}' is not among the hosts given to the monitor"));
        errors.AddRange(spec.LogWatches.SelectMany(w => w.Hosts.Where(h => !names.Contains(h))
            .Select(h => $"logs.{w.Name}.hosts: '{h}' is not a monitored host")));
        if (errors.Count > 0)
        {
            throw DownshiftException.InvalidState($"the monitor cannot start: {string.Join("; ", errors)}");
        }

        Spec = spec;
        this.timeProvider = timeProvider;
        store = new SeriesStore(spec.RingCapacity);
        // No client-wide timeout: each probe request and each query has its own.
        client = handler is null ? null : new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        probes = [.. spec.Probes.Select(p => new HttpProbe(p, client!, timeProvider))];
        prometheus = spec.Prometheus is { } source ? new PrometheusLane(source, client!, spec.Interval, timeProvider) : null;
        lanes = [.. names.Select(name => new HostLane(
            new HostSampler(byName[name], timeProvider) { CommandTimeout = spec.CommandTimeout },
            [.. spec.LogWatches.Where(w => w.Hosts.Count == 0 || w.Hosts.Contains(name))
                .Select(w => new LogWatch(w, byName[name], timeProvider) { CommandTimeout = spec.CommandTimeout })],
            timeProvider))];
    }

    public MonitorSpec Spec { get; }

    /// <summary>
    /// Called after each tick with its batch (already in the series), one at a time and in order; an
    /// exception from it is caught and becomes a note of the next batch. Keep it short: the next tick waits.
    /// </summary>
    public Func<MonitorBatch, CancellationToken, Task>? OnBatch { get; init; }

    /// <summary>The hosts read (system metrics, logs), in order.</summary>
    public IReadOnlyList<string> Hosts => [.. lanes.Select(l => l.Host)];

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (then throws <see cref="OperationCanceledException"/>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunCoreAsync(null, cancellationToken);

    /// <summary>
    /// Runs for <paramref name="duration"/>: a first tick at once (it primes the rates: memory only), then
    /// one per interval up to and including the one at the duration's end.
    /// </summary>
    public Task RunAsync(TimeSpan duration, CancellationToken cancellationToken) => RunCoreAsync(duration, cancellationToken);

    /// <summary>A copy of every series (ordered by host, then metric), oldest point first.</summary>
    public IReadOnlyList<MetricSeries> Snapshot() => store.Snapshot();

    /// <summary>A copy of one series, or null if it has no point yet.</summary>
    public MetricSeries? Find(string host, string metric) => store.Find(host, metric);

    public void Dispose() => client?.Dispose();

    private async Task RunCoreAsync(TimeSpan? duration, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref running, 1) == 1)
        {
            throw DownshiftException.InvalidState("the monitor is already running");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = probes.Select(p => p.RunAsync(Spec.Interval, stop.Token)).ToList();
        var start = timeProvider.GetUtcNow();
        try
        {
            using var timer = new PeriodicTimer(Spec.Interval, timeProvider);
            await TickAsync(withProbes: false, stop.Token);
            while (duration is not { } limit || timeProvider.GetUtcNow() - start < limit)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
                await TickAsync(withProbes: true, stop.Token);
            }
        }
        finally
        {
            await stop.CancelAsync();
            var pending = Task.WhenAll(sending.Concat(lanes.Select(l => l.Pending)));
            await Task.WhenAny(pending, Task.Delay(MonitorDefaults.StopGrace, timeProvider, CancellationToken.None));
            _ = pending.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            Interlocked.Exchange(ref running, 0);
        }
    }

    private async Task TickAsync(bool withProbes, CancellationToken cancellationToken)
    {
        var queries = prometheus?.SampleAsync(cancellationToken) ?? Task.FromResult<IReadOnlyList<MetricSample>>([]);
        var lanesRead = Task.WhenAll(lanes.Select(l => l.ReadAsync(Spec.Interval, cancellationToken)));
        await Task.WhenAll(lanesRead, queries);
        var reads = await lanesRead;
        var samples = reads.SelectMany(r => r.Samples).Concat(await queries).ToList();
        if (withProbes)
        {
            samples.AddRange(probes.SelectMany(p => p.CloseWindow()));
        }

        List<string> notes = [.. pendingNotes, .. reads.SelectMany(r => r.Notes)];
        pendingNotes.Clear();
        var batch = new MonitorBatch(timeProvider.GetUtcNow(), samples) { Notes = notes };
        store.Add(samples);
        if (OnBatch is not { } handler)
        {
            return;
        }

        try
        {
            await handler(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            pendingNotes.Add($"the handler of the batch at {batch.Time:O} failed: {e.Message}");
        }
    }
}
