using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Writes one flush of a partition (head, segments, tombstone pages, deletes) as one atomic step: all of it or none.
/// <see cref="PartitionFlushScript"/> does it in Redis; a storage without it gets the ordered writes of
/// <see cref="PartitionStore"/> instead.
/// </summary>
internal interface IPartitionFlush
{
    /// <summary>
    /// Writes (or deletes) every entry if each one's ETag is still the one storage holds, and then gives each written
    /// state its new ETag (a deleted one none). Otherwise it changes nothing and throws.
    /// </summary>
    /// <exception cref="InconsistentStateException">Some entry's ETag is not the stored one: another activation wrote it.</exception>
    Task WriteAsync(GrainId grainId, IReadOnlyList<FlushEntry> entries);
}
