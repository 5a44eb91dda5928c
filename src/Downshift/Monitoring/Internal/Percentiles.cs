namespace Downshift.Monitoring.Internal;

/// <summary>Percentiles by linear interpolation between the closest ranks (numpy's default, Excel's PERCENTILE.INC).</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="percent"/> (0..100) percentile of <paramref name="sorted"/> (ascending, not empty).</summary>
    public static double Of(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        var rank = percent / 100.0 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }
}
