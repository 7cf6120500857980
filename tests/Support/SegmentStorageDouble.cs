using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// For model tests that play the partition grain: what its write loop and its cold-segment reader do with storage,
/// with a dictionary as the storage (the model's rules, not Redis, are what those tests are about).
/// </summary>
internal sealed class SegmentStorageDouble
{
    public Dictionary<long, TaskSegment> Segments { get; } = [];

    /// <summary>Takes the dirty segments, "writes" them (a null one is deleted), and settles the write.</summary>
    public void Write(QueuePartition partition)
    {
        foreach (var (number, segment) in partition.TakeDirty())
        {
            if (segment is null) Segments.Remove(number);
            else Segments[number] = segment;
        }
        partition.Settle();
    }

    /// <summary>Reads back every segment the partition wants now; returns their numbers.</summary>
    public List<long> WarmWanted(QueuePartition partition, DateTimeOffset now)
    {
        var wanted = partition.TakeWanted(now);
        foreach (var number in wanted) partition.Warm(Segments[number]);
        return wanted;
    }
}
