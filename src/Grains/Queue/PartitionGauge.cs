namespace DistributedTaskQueue.Queue;

/// <summary>One partition's counts as it last published them (once a second), for the queue gauges.</summary>
internal sealed record PartitionGauge(
    string Queue,
    int Partition,
    IReadOnlyList<long> PendingByPriority,
    long Delayed,
    long Running,
    long DeadLettered,
    DateTimeOffset? OldestPendingSince);
