namespace DistributedTaskQueue.Queue;

/// <summary>
/// A flush as one atomic call (<see cref="IPartitionFlush"/>): the head, every dirty segment, the deletes and the
/// tombstone pages that record them land together or not at all, so none of the ordered path's rules is needed (deletes
/// after the head, segments past the head's range after the head, a clean-close head after everything else).
/// </summary>
internal sealed partial class PartitionStore
{
    private Task WriteAtomicallyAsync(IPartitionFlush atomic, PartitionHead head, List<(long Number, TaskSegment? Segment)> segments)
    {
        var entries = new List<FlushEntry>(segments.Count + 2);
        foreach (var (number, segment) in segments)
        {
            if (segment is null)
            {
                if (_segments.Remove(number, out var gone)) entries.Add(new FlushEntry(SegmentName(number), gone, null));
                // Marked now, so its page rides in this same flush: the delete and the tombstone that records it land
                // together, and a tombstone can still never hide a segment that exists. (A failed flush breaks the
                // partition, and the next activation reads tombstones from Redis, not from this memory.)
                Tombstones.MarkDeleted(number);
                continue;
            }
            if (!_segments.TryGetValue(number, out var state)) _segments[number] = state = new GrainState<StoredBlob>();
            entries.Add(new FlushEntry(SegmentName(number), state, serializer.SerializeToArray(segment)));
        }
        // Obsolete pages first: a page both marked and obsolete is dropped, not written.
        foreach (var number in Tombstones.TakeObsolete(head.FirstSegment))
        {
            if (_pages.Remove(number, out var state)) entries.Add(new FlushEntry(PageName(number), state, null));
        }
        foreach (var page in Tombstones.TakeUnwritten())
        {
            if (!_pages.TryGetValue(page.Number, out var state)) _pages[page.Number] = state = new GrainState<StoredBlob>();
            entries.Add(new FlushEntry(PageName(page.Number), state, serializer.SerializeToArray(page)));
        }
        entries.Add(new FlushEntry(HeadName, _head, serializer.SerializeToArray(head)));
        _stored = head.Copy();
        return atomic.WriteAsync(grainId, entries);
    }
}
