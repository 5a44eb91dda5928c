using Downshift.Journal;
using Downshift.Monitoring.Internal;

namespace Downshift.Monitoring;

/// <summary>
/// Monitoring samples in the journal, so a run's series can be rebuilt for the report: each
/// <see cref="AppendAsync"/> is one <see cref="JournalEvent.MetricSamples"/> record holding one host's
/// points (JSON in Data, see the folder's README), and <see cref="ReadAsync(string, CancellationToken)"/>
/// joins a run's records back into series. Use <see cref="MetricJournalWriter"/> to batch a monitor's
/// ticks into records.
/// </summary>
public sealed class MetricJournal(IJournal journal, TimeProvider timeProvider)
{
    /// <summary>Samples taken before the stop (E2).</summary>
    public const string BaselineStage = "baseline";

    /// <summary>Samples taken during the change and the bake time after it (E6).</summary>
    public const string LiveStage = "live";

    /// <summary>
    /// Appends one record with <paramref name="samples"/> (all of one host) under <paramref name="stage"/>.
    /// The record's Host is that host, but for the fleet's probes (<see cref="MetricNames.FleetHost"/>): none.
    /// Not cancelled by <paramref name="cancellationToken"/> once started (see <see cref="IJournal.AppendAsync"/>).
    /// </summary>
    public Task<JournalRecord> AppendAsync(
        string runId, string operatorName, string stage, IReadOnlyList<MetricSample> samples, CancellationToken cancellationToken)
    {
        var host = samples.Select(s => s.Host).Distinct(StringComparer.Ordinal).ToList();
        if (host.Count != 1)
        {
            throw new ArgumentException($"a record holds the samples of one host (got {host.Count}: {string.Join(", ", host)})", nameof(samples));
        }

        var series = samples.GroupBy(s => s.Metric, StringComparer.Ordinal)
            .Select(g => new MetricSeries(host[0], g.Key, [.. g.Select(s => s.Point).OrderBy(p => p.Time)]))
            .ToList();
        var points = samples.Select(s => s.Point).ToList();
        var missing = points.Count(p => p.Value is null);
        return journal.AppendAsync(
            new JournalRecord
            {
                RunId = runId,
                Time = timeProvider.GetUtcNow(),
                Operator = operatorName,
                Event = JournalEvent.MetricSamples,
                Host = host[0] == MetricNames.FleetHost ? null : host[0],
                Result = $"{stage}: {series.Count} metrics, {points.Count} points ({missing} missing), " +
                         $"{points.Min(p => p.Time).UtcDateTime:HH:mm:ss}–{points.Max(p => p.Time).UtcDateTime:HH:mm:ss} UTC",
                Data = MetricRecordJson.Write(stage, series),
            },
            cancellationToken);
    }

    /// <summary>Every series the run recorded, all stages, ordered by host then metric, points oldest first.</summary>
    public Task<IReadOnlyList<MetricSeries>> ReadAsync(string runId, CancellationToken cancellationToken) =>
        ReadAsync(runId, stage: null, cancellationToken);

    /// <summary>The series of one stage (<see cref="BaselineStage"/>, <see cref="LiveStage"/>), or of all when null.</summary>
    /// <exception cref="DownshiftException">A record's samples cannot be read (the journal is damaged or newer).</exception>
    public async Task<IReadOnlyList<MetricSeries>> ReadAsync(string runId, string? stage, CancellationToken cancellationToken)
    {
        var records = await journal.ReadAsync(runId, cancellationToken);
        var points = new Dictionary<(string Host, string Metric), List<MetricPoint>>();
        foreach (var record in records.Where(r => r.Event == JournalEvent.MetricSamples && r.Data is not null))
        {
            (string Stage, List<MetricSeries> Series) read;
            try
            {
                read = MetricRecordJson.Read(record.Data!);
            }
            catch (FormatException e)
            {
                throw DownshiftException.JournalCorrupt(journal.Location, $"record {record.Sequence}: {e.Message}", e);
            }

            if (stage is not null && read.Stage != stage)
            {
                continue;
            }

            foreach (var series in read.Series)
            {
                if (!points.TryGetValue((series.Host, series.Metric), out var list))
                {
                    points[(series.Host, series.Metric)] = list = [];
                }

                list.AddRange(series.Points);
            }
        }

        return [.. points.OrderBy(p => p.Key.Host, StringComparer.Ordinal).ThenBy(p => p.Key.Metric, StringComparer.Ordinal)
            .Select(p => new MetricSeries(p.Key.Host, p.Key.Metric, [.. p.Value.OrderBy(point => point.Time)]))];
    }
}
