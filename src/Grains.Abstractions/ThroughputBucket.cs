namespace DistributedTaskQueue;

/// <summary>
/// What a queue did in one 10-second window of <see cref="QueueStats.Recent"/>: tasks accepted, tasks that succeeded and
/// attempts that failed. <see cref="Start"/> is a multiple of 10 s of UTC time, so windows of several partitions (or
/// silos) line up and add by <see cref="Start"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.ThroughputBucket")]
public sealed record ThroughputBucket(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] long Submitted,
    [property: Id(2)] long Succeeded,
    [property: Id(3)] long Failed)
{
    /// <summary>How long one bucket spans.</summary>
    public static readonly TimeSpan Width = TimeSpan.FromSeconds(10);

    /// <summary>How far back <see cref="QueueStats.Recent"/> reaches: 60 buckets.</summary>
    public static readonly TimeSpan History = TimeSpan.FromMinutes(10);

    /// <summary>The start of the bucket <paramref name="at"/> falls in (UTC).</summary>
    public static DateTimeOffset StartOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % Width.Ticks), TimeSpan.Zero);

    /// <summary>
    /// Two histories as one: buckets of the same start added, in time order, the newest <see cref="History"/> kept (two
    /// partitions read a moment apart may each reach one bucket further than the other).
    /// </summary>
    public static IReadOnlyList<ThroughputBucket> Merge(IReadOnlyList<ThroughputBucket> first, IReadOnlyList<ThroughputBucket> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (second.Count == 0) return first;
        if (first.Count == 0) return second;
        var merged = first.Concat(second)
            .GroupBy(b => b.Start.UtcTicks)
            .Select(g => new ThroughputBucket(new DateTimeOffset(g.Key, TimeSpan.Zero), g.Sum(b => b.Submitted), g.Sum(b => b.Succeeded), g.Sum(b => b.Failed)))
            .OrderBy(b => b.Start)
            .ToList();
        var oldest = merged[^1].Start - History;
        return merged.Where(b => b.Start > oldest).ToList();
    }
}
