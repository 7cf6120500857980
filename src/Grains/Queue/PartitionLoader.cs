using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Loads a partition at activation: the segments that exist (tombstones say which retention deleted) in ascending
/// chunks, evicting as it goes, so a deep backlog never holds more than the resident budget plus one chunk and a
/// long history of deleted segments costs nothing. A segment that cannot be read is left in storage and skipped;
/// a record that cannot be indexed is quarantined by the model. It only reads.
/// </summary>
internal sealed partial class PartitionLoader(PartitionStore store, PartitionMetrics metrics, PartitionOptions options, TimeProvider time, string queue, string key, ILogger logger, ITaskTransitions? transitions = null)
{
    private const int Chunk = 64;

    /// <summary>
    /// Opens the partition for a new activation: its head with a new epoch, every stored task, and the hold after an
    /// unclean close.
    /// </summary>
    public async Task<QueuePartition> OpenAsync(int partitionNumber, RetryPolicy defaultRetry)
    {
        var stored = await store.ReadHeadAsync();
        var head = stored ?? FreshHead(time.GetUtcNow());
        var partition = new QueuePartition(queue, partitionNumber, options, defaultRetry, Random.Shared.NextDouble, head, transitions);
        await LoadAsync(partition);
        // A new epoch for the leases this activation grants. It is made durable by the first write, and no lease is
        // granted before that write (see TaskQueueGrain.LeaseAsync); reads alone never write (invariant 11).
        head.Epoch++;
        // A host that died may have handed out leases it never wrote: give live workers time to renew them.
        if (stored is { ClosedCleanly: false, NextSequence: > 0 })
        {
            var hold = options.FailoverHoldBack < options.LeaseDuration ? options.FailoverHoldBack : options.LeaseDuration;
            partition.HoldDispatch(time.GetUtcNow() + hold);
        }
        head.ClosedCleanly = false;
        return partition;
    }

    /// <summary>
    /// The head of a partition Redis holds nothing for: new, or one whose data Redis lost. Its sequences start at the
    /// clock (milliseconds since 1970 times <see cref="SequencesPerMillisecond"/>), not at 0, so ids acknowledged before a
    /// loss are never handed out again for other tasks: a partition that started at an earlier instant has used fewer
    /// sequences than that many a millisecond since (no partition submits a million tasks a second).
    /// </summary>
    public static PartitionHead FreshHead(DateTimeOffset now)
    {
        var first = Math.Max(0, now.ToUnixTimeMilliseconds()) * SequencesPerMillisecond;
        return new PartitionHead { NextSequence = first, FirstSegment = TaskSegment.NumberOf(first) };
    }

    /// <summary>A multiple of <see cref="TaskSegment.Capacity"/>, so a fresh partition starts on a segment's first slot.
    /// Ids stay below 2^53 (exact in JavaScript numbers) until the year 2243.</summary>
    public const long SequencesPerMillisecond = 1024;

    public async Task LoadAsync(QueuePartition partition)
    {
        var head = partition.Head;
        var last = head.NextSequence == 0 ? -1 : TaskSegment.NumberOf(head.NextSequence - 1);
        if (last >= head.FirstSegment) await store.ReadTombstonesAsync(head.FirstSegment, last);
        var existing = new List<long>();
        for (var number = head.FirstSegment; number <= last; number++)
        {
            if (!store.Tombstones.IsDeleted(number)) existing.Add(number);
        }
        foreach (var chunk in existing.Chunk(Chunk))
        {
            var reads = await Task.WhenAll(chunk.Select(async n => (Number: n, Read: await store.ReadSegmentAsync(n))));
            partition.Restore(reads.Select(r => Readable(partition, r.Number, r.Read)).OfType<TaskSegment>(), time.GetUtcNow());
            partition.Evict(options.MaxResidentTasks);
        }
        // Probe past the known range: a head write that failed after its segment write succeeded must not let
        // sequence numbers be reused.
        for (var probe = last + 1; ; probe++)
        {
            var read = await store.ReadSegmentAsync(probe);
            if (read is { Segment: null, Error: null }) break;
            if (Readable(partition, probe, read) is { } extra) partition.Restore([extra], time.GetUtcNow());
        }
        if (partition.QuarantinedRecords > 0)
        {
            metrics.Quarantined(queue, partition.QuarantinedRecords);
            LogQuarantined(key, partition.QuarantinedRecords);
        }
    }

    /// <summary>A segment whose bytes cannot be read is left in storage untouched and skipped, never a reason not to load.</summary>
    private TaskSegment? Readable(QueuePartition partition, long number, SegmentRead read)
    {
        if (read.Error is { } error)
        {
            partition.SkipUnreadable(number);
            metrics.Quarantined(queue, TaskSegment.Capacity);
            LogUnreadableSegment(error, key, number);
        }
        return read.Segment;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue partition {Partition}: {Count} stored task records could not be indexed and were dead-lettered with the reason (see its dead letters)")]
    private partial void LogQuarantined(string partition, long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue partition {Partition}: stored segment {Segment} cannot be read; it is left in Redis untouched and the partition loads without it")]
    private partial void LogUnreadableSegment(Exception exception, string partition, long segment);
}
