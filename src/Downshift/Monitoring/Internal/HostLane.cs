namespace Downshift.Monitoring.Internal;

/// <summary>
/// One host's readings in a monitor: the /proc sampler and the host's log watches, read at once. A
/// reading that does not answer within the tick's deadline gives null points for every metric of the
/// host and goes on in the background; no new one starts on the host until it has ended, so a host
/// that hangs never piles up commands.
/// </summary>
internal sealed class HostLane(HostSampler sampler, IReadOnlyList<LogWatch> watches, TimeProvider timeProvider)
{
    private Task<LaneRead>? inFlight;
    private DateTimeOffset inFlightSince;

    public string Host => sampler.HostName;

    /// <summary>The reading still running, if any (awaited when the monitor stops).</summary>
    public Task Pending => inFlight ?? Task.CompletedTask;

    public async Task<LaneRead> ReadAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (inFlight is { IsCompleted: false })
        {
            return Missing(now, $"the reading of {Host} started {(now - inFlightSince).TotalSeconds:0.#}s ago has not answered yet (host slow or unreachable)");
        }

        (inFlight, inFlightSince) = (ReadAllAsync(cancellationToken), now);
        try
        {
            var read = await inFlight.WaitAsync(deadline, timeProvider, cancellationToken);
            inFlight = null;
            return read;
        }
        catch (TimeoutException)
        {
            return Missing(timeProvider.GetUtcNow(), $"{Host} did not answer within {deadline.TotalSeconds:0.###}s");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            inFlight = null;
            return Missing(timeProvider.GetUtcNow(), $"reading {Host} failed: {e.Message}");
        }
    }

    private async Task<LaneRead> ReadAllAsync(CancellationToken cancellationToken)
    {
        var system = sampler.SampleAsync(cancellationToken);
        var logs = watches.Select(w => w.ReadAsync(cancellationToken)).ToList();
        var samples = new List<MetricSample>(await system);
        var notes = new List<string>();
        foreach (var log in await Task.WhenAll(logs))
        {
            if (log.Sample is { } sample)
            {
                samples.Add(sample);
            }

            if (log.Note is { } note)
            {
                notes.Add($"{Host}: {note}");
            }
        }

        return new LaneRead(samples, notes);
    }

    private LaneRead Missing(DateTimeOffset time, string error) =>
        new([.. MetricNames.HostMetrics.Concat(watches.Select(w => w.Metric)).Select(metric => MetricSample.Missing(Host, metric, time, error))], []);
}

internal sealed record LaneRead(IReadOnlyList<MetricSample> Samples, IReadOnlyList<string> Notes);
