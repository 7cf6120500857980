using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Reads and writes one partition's head, segments and segment tombstones through the named grain storage, each
/// under its own state name (<c>head</c>, <c>seg-N</c>, <c>gone-N</c>) so no write grows with queue depth. Values
/// are serialized here, before the first await, so a write carries a snapshot even while the partition keeps
/// changing. Every write is guarded by the ETag of the previous one: a second activation fails instead of overwriting.
/// </summary>
internal sealed class PartitionStore(IGrainStorage storage, Serializer serializer, GrainId grainId)
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
    /// Starts one write per dirty segment (or delete), per tombstone page not yet written, and of the head; serializes
    /// everything before returning the task. Deletes wait for the head write, and so do two or more segments past the
    /// head's range; a head that says "closed cleanly" waits for everything else.
    /// </summary>
    /// <remarks>
    /// The head is written with every flush although only a few of its fields change: its ETag is what fences a stale
    /// second activation (one whose flush touches only segments the new activation has not yet written would otherwise
    /// land, and acknowledge a completion the new activation then leases again). Carrying the head's fast fields in the
    /// segments instead (one storage call per flush) was built, and reverted for that reason.
    /// </remarks>
    public Task WriteAsync(PartitionHead head, List<(long Number, TaskSegment? Segment)> segments)
    {
        var writes = new List<Task>(segments.Count + 2);
        var deletes = new List<(long Number, GrainState<StoredBlob> State)>();
        var added = new List<(string Name, GrainState<StoredBlob> State)>();
        // Only a head written once everything else of the flush landed vouches for a clean close (a clean close whose
        // lease marks were partly lost must still hold dispatch back at the next activation).
        var closedCleanly = head.ClosedCleanly;
        // Activation finds segments past the head key's range by a probe that stops at the first missing one: when a
        // flush adds two or more, a later one landing without an earlier one (and without the head) would never be found,
        // and its records would come back once a later activation's head covers them. So they go after the head.
        var covered = Covered(_stored);
        var extends = !closedCleanly && segments.Count(s => s.Segment is not null && s.Number > covered) > 1;
        foreach (var (number, segment) in segments)
        {
            if (segment is null)
            {
                if (_segments.Remove(number, out var gone)) deletes.Add((number, gone));
                else Tombstones.MarkDeleted(number); // never stored: nothing to delete, only to remember
                continue;
            }
            if (!_segments.TryGetValue(number, out var state)) _segments[number] = state = new GrainState<StoredBlob>();
            state.State = new StoredBlob { Data = serializer.SerializeToArray(segment) };
            if (extends && number > covered) added.Add((SegmentName(number), state));
            else writes.Add(WriteAndForgetBytesAsync(SegmentName(number), state));
        }
        // Obsolete pages first: a page both written and cleared in one batch would race its own ETag.
        _obsoletePages.AddRange(Tombstones.TakeObsolete(head.FirstSegment));
        foreach (var page in Tombstones.TakeUnwritten())
        {
            if (!_pages.TryGetValue(page.Number, out var state)) _pages[page.Number] = state = new GrainState<StoredBlob>();
            state.State = new StoredBlob { Data = serializer.SerializeToArray(page) };
            writes.Add(WriteAndForgetBytesAsync(PageName(page.Number), state));
        }
        foreach (var number in _obsoletePages)
        {
            if (_pages.Remove(number, out var state)) writes.Add(storage.ClearStateAsync(PageName(number), grainId, state));
        }
        _obsoletePages.Clear();
        _head.State = new StoredBlob { Data = serializer.SerializeToArray(head) };
        _stored = head.Copy();
        var headWritten = closedCleanly && writes.Count > 0 ? WriteHeadAfterAsync(Task.WhenAll(writes)) : storage.WriteStateAsync(HeadName, grainId, _head);
        writes.Add(headWritten);
        // Segments go only once the head that no longer needs them is written (retention advanced its first segment).
        if (deletes.Count > 0) writes.Add(DeleteAfterAsync(headWritten, deletes));
        if (added.Count > 0) writes.Add(WriteAfterAsync(headWritten, added));
        return Task.WhenAll(writes);
    }

    private async Task ReadPageAsync(long number)
    {
        var state = new GrainState<StoredBlob>();
        await storage.ReadStateAsync(PageName(number), grainId, state);
        if (state is not { RecordExists: true, State: { } blob }) return;
        _pages[number] = state;
        Tombstones.Load(serializer.Deserialize<TombstonePage>(blob.Data) ?? new TombstonePage { Number = number });
    }

    /// <summary>The last segment a head's range covers (-1 when none).</summary>
    private static long Covered(PartitionHead head) => head.NextSequence == 0 ? -1 : TaskSegment.NumberOf(head.NextSequence - 1);

    private async Task WriteAfterAsync(Task headWritten, List<(string Name, GrainState<StoredBlob> State)> segments)
    {
        await headWritten;
        await Task.WhenAll(segments.Select(s => WriteAndForgetBytesAsync(s.Name, s.State)));
    }

    private async Task WriteHeadAfterAsync(Task rest)
    {
        await rest;
        await storage.WriteStateAsync(HeadName, grainId, _head);
    }

    private async Task DeleteAfterAsync(Task headWritten, List<(long Number, GrainState<StoredBlob> State)> deletes)
    {
        await headWritten;
        await Task.WhenAll(deletes.Select(d => DeleteSegmentAsync(d.Number, d.State)));
    }

    /// <summary>The tombstone is set only once the delete is confirmed: it must never hide a segment that still exists.</summary>
    private async Task DeleteSegmentAsync(long number, GrainState<StoredBlob> state)
    {
        await storage.ClearStateAsync(SegmentName(number), grainId, state);
        Tombstones.MarkDeleted(number);
    }

    /// <summary>Only the ETag is kept between writes: holding every segment's last bytes would double the memory of the records.</summary>
    private async Task WriteAndForgetBytesAsync(string name, GrainState<StoredBlob> state)
    {
        await storage.WriteStateAsync(name, grainId, state);
        state.State = StoredBlob.Empty;
    }

    private static string SegmentName(long number) => $"seg-{number}";

    private static string PageName(long number) => $"gone-{number}";
}
