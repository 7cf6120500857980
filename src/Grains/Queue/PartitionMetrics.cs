using System.Diagnostics.Metrics;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// What queue partitions cost in storage, on the <c>DistributedTaskQueue</c> meter: how long each group-commit
/// write takes and how many segments it carries, and how often a segment held only in Redis is read back.
/// These are the first figures to read when submit latency or Redis load looks wrong.
/// </summary>
internal sealed class PartitionMetrics
{
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<int> _writeSegments;
    private readonly Counter<long> _segmentReads;
    private readonly Counter<long> _lost;
    private readonly Counter<long> _quarantined;

    public PartitionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("DistributedTaskQueue");
        _writeDuration = meter.CreateHistogram<double>("dtq.partition.write.duration", "ms", "How long one group-commit write of a partition took");
        _writeSegments = meter.CreateHistogram<int>("dtq.partition.write.segments", "{segment}", "Segments one group-commit write carried (deleted ones included)");
        _segmentReads = meter.CreateCounter<long>("dtq.partition.segment.reads", "{segment}", "Segments read back from Redis after leaving memory");
        _lost = meter.CreateCounter<long>("dtq.partition.tasks.lost", "{task}", "Tasks whose segment was held in Redis only and Redis no longer had it");
        _quarantined = meter.CreateCounter<long>("dtq.partition.tasks.quarantined", "{task}", "Stored task records that could not be loaded and were dead-lettered (or left unread) at activation");
    }

    public void Wrote(string queue, TimeSpan duration, int segments)
    {
        var tag = new KeyValuePair<string, object?>("queue", queue);
        _writeDuration.Record(duration.TotalMilliseconds, tag);
        _writeSegments.Record(segments, tag);
    }

    public void ReadBack(string queue) => _segmentReads.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void Lost(string queue, long tasks) => _lost.Add(tasks, new KeyValuePair<string, object?>("queue", queue));

    public void Quarantined(string queue, long tasks) => _quarantined.Add(tasks, new KeyValuePair<string, object?>("queue", queue));
}
