namespace Downshift.Monitoring.Rules.Internal;

/// <summary>
/// The samples a rule judges at a moment, and what keeps them from being judged. The window of a rule
/// <c>for W</c> at NOW is the latest sample at or before NOW − W (the one that stands for the window's
/// start) and every sample after it up to NOW. It is covered when that first sample exists, no two
/// neighbours are more than <see cref="MaxGapInIntervals"/> sampling intervals apart, and the latest
/// sample is no older than that. Without <c>for</c> the window is the latest sample alone.
/// </summary>
internal sealed record RuleWindow(IReadOnlyList<MetricPoint> Samples, IReadOnlyList<string> Problems)
{
    public const int MaxGapInIntervals = 2;

    public static RuleWindow Select(IEnumerable<MetricPoint> points, DateTimeOffset now, TimeSpan window, TimeSpan? interval)
    {
        var known = points.Where(p => p.Time <= now).OrderBy(p => p.Time).ToList();
        if (known.Count == 0)
        {
            return new RuleWindow([], ["no samples"]);
        }

        var problems = new List<string>();
        var start = now - window;
        var anchor = known.FindLastIndex(p => p.Time <= start);
        if (anchor < 0)
        {
            problems.Add($"window not covered yet: samples start at {RuleText.Time(known[0].Time)}, the rule needs one at or before {RuleText.Time(start)}");
            anchor = 0;
        }

        var samples = known[anchor..];
        var step = interval ?? MedianGap(known);
        if (step is not { } every)
        {
            problems.Add("one sample only: the sampling interval is not known, so its age cannot be judged");
        }
        else
        {
            var limit = every * MaxGapInIntervals;
            for (var i = 1; i < samples.Count; i++)
            {
                var gap = samples[i].Time - samples[i - 1].Time;
                if (gap > limit)
                {
                    problems.Add($"gap of {RuleText.Duration(gap)} {RuleText.Time(samples[i - 1].Time)}–{RuleText.Time(samples[i].Time)} (more than {MaxGapInIntervals} intervals of {RuleText.Duration(every)})");
                }
            }

            var age = now - samples[^1].Time;
            if (age > limit)
            {
                problems.Add($"latest sample {RuleText.Duration(age)} old (more than {MaxGapInIntervals} intervals of {RuleText.Duration(every)})");
            }
        }

        var missing = samples.Where(p => !IsKnown(p)).ToList();
        if (missing.Count > 0)
        {
            var error = missing.LastOrDefault(p => !string.IsNullOrEmpty(p.Error))?.Error;
            problems.Add($"{missing.Count} of {samples.Count} samples missing" + (error is null ? "" : $" (last error: {error})"));
        }

        return new RuleWindow(samples, problems);
    }

    /// <summary>A sample with a value (not null, not NaN or infinite).</summary>
    public static bool IsKnown(MetricPoint point) => point.Value is { } value && double.IsFinite(value);

    /// <summary>The median time between neighbouring samples: the sampling interval, when the caller does not say it.</summary>
    private static TimeSpan? MedianGap(List<MetricPoint> points)
    {
        var gaps = points.Zip(points.Skip(1), (a, b) => b.Time - a.Time).Where(gap => gap > TimeSpan.Zero).Order().ToList();
        return gaps.Count == 0 ? null : gaps[gaps.Count / 2];
    }
}
