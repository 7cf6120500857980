namespace DistributedTaskQueue.Queue;

/// <summary>
/// The small per-partition record written beside the segments with every flush: where sequences stand, counters,
/// pause, the epoch. Its ETag fences a stale second activation (see <see cref="PartitionStore.WriteAsync"/>).
/// </summary>
[GenerateSerializer, Alias("dtq.PartitionHead")]
internal sealed class PartitionHead
{
    [Id(0)] public long NextSequence { get; set; }
    [Id(1)] public long FirstSegment { get; set; }
    [Id(2)] public long Succeeded { get; set; }
    [Id(3)] public long Failed { get; set; }
    [Id(5)] public long Cancelled { get; set; }
    [Id(6)] public bool Paused { get; set; }

    /// <summary>Counts the partition's activations; each grants leases under its own epoch, so an attempt number
    /// handed out before a crash but never written can never match one handed out after it.</summary>
    [Id(7)] public long Epoch { get; set; }

    /// <summary>
    /// Set by the last write of an activation that deactivated cleanly. When it is not set, the previous activation may
    /// have handed out leases whose marks it never wrote: the next one holds dispatch back briefly so live workers can
    /// re-announce them (see <see cref="QueuePartition.HoldDispatch"/>).
    /// </summary>
    [Id(8)] public bool ClosedCleanly { get; set; }

    // Field 9 is retired (a write count that chose between copies of the head): never reuse it.

    public PartitionHead Copy() => (PartitionHead)MemberwiseClone();
}
