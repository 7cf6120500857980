using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Reads and writes one partition's head, segments and segment tombstones, each under its own state name (<c>head</c>,
/// <c>seg-N</c>, <c>gone-N</c>) so no write grows with queue depth. Reads go through the named grain storage. A flush
/// is one atomic call when the storage has one (<see cref="IPartitionFlush"/>: Redis), else ordered writes through the
/// grain storage (memory). Values are serialized here, before the first await, so a write carries a snapshot even
/// while the partition keeps changing. Every write is guarded by the ETag of the previous one: a second activation
/// fails instead of overwriting.
/// </summary>
internal sealed partial class PartitionStore(IGrainStorage storage, IPartitionFlush? flush, Serializer serializer, GrainId grainId)
{
    private const string HeadName = "head";
    private readonly GrainState<StoredBlob> _head = new();
    private readonly Dictionary<long, GrainState<StoredBlob>> _segments = [];
    private readonly Dictionary<long, GrainState<StoredBlob>> _pages = [];
    private readonly List<long> _obsoletePages = [];
    // What the head key holds now (a copy), to tell whether a flush must write it.
    private PartitionHead _stored = new();

    /// <summary>Which segments were deleted; consulted at activation so only existing segments are read.</summary>
    public SegmentTombstones Tombstones { get; } = new();

    /// <summary>Tombstones of confirmed deletes (or pages to drop) that no write has carried yet.</summary>
    public bool HasUnwrittenBookkeeping => Tombstones.HasUnwritten || _obsoletePages.Count > 0;

    public async Task<PartitionHead?> ReadHeadAsync()
    {
        await storage.ReadStateAsync(HeadName, grainId, _head);
        var head = _head is { RecordExists: true, State: { } blob } ? serializer.Deserialize<PartitionHead>(blob.Data) : null;
        _stored = head?.Copy() ?? new PartitionHead();
        return head;
    }

    /// <summary>Reads the tombstone pages that cover segments <paramref name="first"/> to <paramref name="last"/>.</summary>
    public async Task ReadTombstonesAsync(long first, long last)
    {
        var pages = new List<long>();
        for (var page = SegmentTombstones.PageOf(first); page <= SegmentTombstones.PageOf(last); page++) pages.Add(page);
        foreach (var chunk in pages.Chunk(64)) await Task.WhenAll(chunk.Select(ReadPageAsync));
    }

    /// <summary>Reads one segment: its records, null when it does not exist, or the error when its bytes cannot be read.</summary>
    public async Task<SegmentRead> ReadSegmentAsync(long number)
    {
        var state = new GrainState<StoredBlob>();
        await storage.ReadStateAsync(SegmentName(number), grainId, state);
        if (state is not { RecordExists: true, State: { } blob }) return default;
        // The ETag is kept even when the bytes cannot be read, so nothing ever overwrites them unseen.
        _segments[number] = state;
        state.State = StoredBlob.Empty;
        try
        {
            var segment = serializer.Deserialize<TaskSegment>(blob.Data) ?? throw new InvalidDataException($"Segment {number} is empty.");
            if (segment.Number != number || segment.Records.Length != TaskSegment.Capacity)
                return new SegmentRead(null, new InvalidDataException($"Segment {number} holds segment {segment.Number} with {segment.Records.Length} slots."));
            return new SegmentRead(segment, null);
        }
#pragma warning disable CA1031 // Any failure to decode is reported to the caller, which quarantines the segment.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new SegmentRead(null, ex);
        }
    }

    /// <summary>
    /// Writes the head, every dirty segment (a null segment is deleted) and the tombstone bookkeeping; serializes
    /// everything before returning the task. The head is in every flush, whatever changed.
    /// </summary>
    /// <remarks>
    /// The head is written with every flush although only a few of its fields change: its ETag is what fences a stale
    /// second activation (one whose flush touches only segments the new activation has not yet written would otherwise
    /// land, and acknowledge a completion the new activation then leases again). Carrying the head's fast fields in the
    /// segments instead (one storage call per flush) was built, and reverted for that reason.
    /// </remarks>
    public Task WriteAsync(PartitionHead head, List<(long Number, TaskSegment? Segment)> segments) =>
        flush is null ? WriteInOrderAsync(head, segments) : WriteAtomicallyAsync(flush, head, segments);

    private async Task ReadPageAsync(long number)
    {
        var state = new GrainState<StoredBlob>();
        await storage.ReadStateAsync(PageName(number), grainId, state);
        if (state is not { RecordExists: true, State: { } blob }) return;
        _pages[number] = state;
        Tombstones.Load(serializer.Deserialize<TombstonePage>(blob.Data) ?? new TombstonePage { Number = number });
    }

    private static string SegmentName(long number) => $"seg-{number}";

    private static string PageName(long number) => $"gone-{number}";
}
