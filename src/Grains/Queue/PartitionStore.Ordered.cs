using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// A flush through a grain storage that writes one state per call (the embedded in-memory storage, and test doubles):
/// the calls land one by one, so their order keeps a partial flush safe.
/// </summary>
internal sealed partial class PartitionStore
{
    /// <summary>
    /// Starts one write per dirty segment (or delete), per tombstone page not yet written, and of the head. Deletes
    /// wait for the head write, and so do two or more segments past the head's range; a head that says "closed
    /// cleanly" waits for everything else.
    /// </summary>
    private Task WriteInOrderAsync(PartitionHead head, List<(long Number, TaskSegment? Segment)> segments)
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
}
