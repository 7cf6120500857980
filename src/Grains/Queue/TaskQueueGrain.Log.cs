using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

internal sealed partial class TaskQueueGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue partition {Partition} activated with {Pending} pending, {Delayed} delayed and {HeldBack} running tasks held back for their workers to reclaim")]
    private partial void LogActivated(string partition, long pending, long delayed, long heldBack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership version {Version}: {Members}")]
    private partial void LogMembership(long version, string members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redelivered {Count} tasks leased by dead silos {Silos}")]
    private partial void LogReleasedDeadWorkers(int count, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a stale completion from worker {WorkerId} for task {Sequence} attempt {Attempt}")]
    private partial void LogStaleCompletion(string workerId, long sequence, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing queue partition {Partition} failed; deactivating to reload from storage")]
    private partial void LogWriteFailed(Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue partition {Partition}: segment {Segment} was held in Redis only, and Redis no longer has it (or it cannot be read); its {Lost} waiting tasks and dead letters are lost")]
    private partial void LogColdSegmentLost(Exception? exception, string partition, long segment, int lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue partition {Partition}: reading segment {Segment} back from Redis failed")]
    private partial void LogColdSegmentReadFailed(Exception exception, string partition, long segment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue partition {Partition}: {Count} stored task records could not be indexed and were dead-lettered with the reason (see its dead letters)")]
    private partial void LogQuarantined(string partition, long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue partition {Partition}: stored segment {Segment} cannot be read; it is left in Redis untouched and the partition loads without it")]
    private partial void LogUnreadableSegment(Exception exception, string partition, long segment);
}
