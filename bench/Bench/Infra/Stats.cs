namespace DistributedTaskQueue.Bench.Infra;

internal static class Stats
{
    /// <summary>Nearest-rank percentile (p in 0..100) of unsorted values.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);
}

/// <summary>Median, min and max of one figure over repeated runs, plus every run's value.</summary>
internal sealed record Summary(double Median, double Min, double Max, double[] Runs)
{
    public static Summary Of(IEnumerable<double> runs)
    {
        var values = runs.ToArray();
        if (values.Length == 0) return new Summary(double.NaN, double.NaN, double.NaN, values);
        // Median of an even count: the mean of the two middle values.
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Summary(median, sorted[0], sorted[^1], values);
    }
}
