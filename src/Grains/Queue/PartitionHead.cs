namespace DistributedTaskQueue.Queue;

/// <summary>
/// The small per-partition record written beside the segments: where sequences stand, counters, pause. It is written
/// itself only when a slow field changes or a flush adds or deletes segments; otherwise a copy rides in every segment
/// a flush writes (<see cref="TaskSegment.Head"/>).
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

    /// <summary>Counts the partition's writes: of the head key and the copies in segments, the highest count is the newest.</summary>
    [Id(9)] public long Writes { get; set; }

    public PartitionHead Copy() => (PartitionHead)MemberwiseClone();

    /// <summary>
    /// Whether this copy is newer than <paramref name="other"/>: of a later activation, or of the same one and written
    /// later. (A stale activation that still writes segments counts its writes on from where it started, and may count
    /// past the activation that replaced it.)
    /// </summary>
    public bool IsNewerThan(PartitionHead? other) =>
        other is null || Epoch > other.Epoch || (Epoch == other.Epoch && Writes > other.Writes);

    /// <summary>
    /// Takes every field of a newer copy found in a segment; a copy written under an older epoch than this head's comes
    /// from an activation this head's has replaced, and is ignored (the records it wrote are read as records).
    /// </summary>
    public void CatchUp(PartitionHead newer)
    {
        if (newer.Writes <= Writes || newer.Epoch < Epoch) return;
        NextSequence = Math.Max(NextSequence, newer.NextSequence);
        FirstSegment = newer.FirstSegment;
        Succeeded = newer.Succeeded;
        Failed = newer.Failed;
        Cancelled = newer.Cancelled;
        Paused = newer.Paused;
        Epoch = Math.Max(Epoch, newer.Epoch);
        ClosedCleanly = newer.ClosedCleanly;
        Writes = newer.Writes;
    }
}
