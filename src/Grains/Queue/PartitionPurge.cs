namespace DistributedTaskQueue.Queue;

/// <summary>
/// One purge of a partition: cancels every waiting task (of one name, if given) submitted before it started, as a cancel
/// does (Cancelled, counted, waiters answered), a chunk at a time, each chunk written before the next. Tasks whose
/// segments are only in Redis are read back a few segments at a time, so memory stays bounded however long the queue.
/// Runs in the partition grain's turns; other calls interleave between chunks.
/// </summary>
internal sealed class PartitionPurge(QueuePartition partition, PartitionWrites writes, ColdSegmentReader cold, TimeProvider time, long maxResidentTasks)
{
    /// <summary>Tasks cancelled per write: about 64 segments rewritten at most.</summary>
    internal const int Chunk = 4096;

    /// <summary>Cold segments read back at once.</summary>
    internal const int ColdChunk = 16;

    // Rounds in a row that neither cancelled a task nor finished a segment (each read back, then evicted again at once).
    private const int MaxIdleRounds = 16;

    public async Task<int> RunAsync(string? taskName)
    {
        var below = partition.NextSequence;
        var done = new HashSet<long>();
        List<long> warmed = [];
        var total = 0;
        var idle = 0;
        while (true)
        {
            var purged = writes.Change(() => partition.PurgeWarm(taskName, below, Chunk, time.GetUtcNow()));
            var finished = done.Count;
            // In the same turn as a pass that left nothing in memory to cancel: the segments read back for it are done.
            if (purged < Chunk) done.UnionWith(warmed.Where(n => !partition.IsCold(n * TaskSegment.Capacity)));
            // Progress is a cancel or a finished segment (most segments hold nothing of a given task name).
            idle = purged > 0 || done.Count > finished ? 0 : idle + 1;
            if (purged > 0)
            {
                total += purged;
                await writes.CommitAsync();
                if (purged == Chunk) continue;
            }
            warmed = partition.ColdWaitingSegments(below).Where(n => !done.Contains(n)).Take(ColdChunk).ToList();
            if (warmed.Count == 0) break;
            if (idle > MaxIdleRounds) throw new TaskQueueUnavailableException($"A purge could not keep segments {string.Join(", ", warmed)} in memory; {total} tasks were cancelled, retry the call for the rest.");
            // Only a write evicts, and a round that cancelled nothing writes nothing: without this, a purge by a name the
            // cold backlog lacks read all of it back into memory before the next housekeeping tick.
            writes.Change(() => partition.Evict(maxResidentTasks));
            await cold.WarmAsync(warmed.Select(n => n * TaskSegment.Capacity));
        }
        if (total > 0) partition.CompactIndexes();
        return total;
    }
}
