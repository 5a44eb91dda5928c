namespace Downshift.Monitoring.Internal;

/// <summary>The last <c>capacity</c> points of one series: adding to a full ring drops the oldest. Not thread-safe (the store locks).</summary>
internal sealed class MetricRing(int capacity)
{
    private readonly MetricPoint[] points = new MetricPoint[capacity];
    private int next;

    public int Count { get; private set; }

    public void Add(MetricPoint point)
    {
        points[next] = point;
        next = (next + 1) % points.Length;
        Count = Math.Min(Count + 1, points.Length);
    }

    /// <summary>The points, oldest first.</summary>
    public MetricPoint[] ToArray()
    {
        var copy = new MetricPoint[Count];
        var oldest = (next - Count + points.Length) % points.Length;
        for (var i = 0; i < Count; i++)
        {
            copy[i] = points[(oldest + i) % points.Length];
        }

        return copy;
    }
}

/// <summary>A ring per (host, metric), safe to add to and read from at once.</summary>
internal sealed class SeriesStore(int capacity)
{
    private readonly Lock gate = new();
    private readonly Dictionary<(string Host, string Metric), MetricRing> rings = [];

    public void Add(IEnumerable<MetricSample> samples)
    {
        lock (gate)
        {
            foreach (var sample in samples)
            {
                if (!rings.TryGetValue((sample.Host, sample.Metric), out var ring))
                {
                    rings[(sample.Host, sample.Metric)] = ring = new MetricRing(capacity);
                }

                ring.Add(sample.Point);
            }
        }
    }

    /// <summary>Every series, ordered by host then metric (ordinal), each a copy.</summary>
    public IReadOnlyList<MetricSeries> Snapshot()
    {
        lock (gate)
        {
            return [.. rings.OrderBy(r => r.Key.Host, StringComparer.Ordinal).ThenBy(r => r.Key.Metric, StringComparer.Ordinal)
                .Select(r => new MetricSeries(r.Key.Host, r.Key.Metric, r.Value.ToArray()))];
        }
    }

    public MetricSeries? Find(string host, string metric)
    {
        lock (gate)
        {
            return rings.TryGetValue((host, metric), out var ring) ? new MetricSeries(host, metric, ring.ToArray()) : null;
        }
    }
}
