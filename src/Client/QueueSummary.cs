namespace DistributedTaskQueue;

/// <summary>One queue of the cluster with its counts (summed over its partitions), as <see cref="TaskClient.ListQueuesAsync"/> lists it.</summary>
/// <param name="Queue">The queue's name.</param>
/// <param name="Stats">Its counts, as <see cref="TaskClient.GetQueueStatsAsync"/> gives them.</param>
public sealed record QueueSummary(string Queue, QueueStats Stats);
