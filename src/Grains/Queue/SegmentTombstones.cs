namespace DistributedTaskQueue.Queue;

/// <summary>
/// Which segments of a partition were deleted, in pages of 4,096 bits (state names <c>gone-N</c>), so activation
/// reads only segments that exist: one old dead letter kept for a week no longer costs a read of every segment
/// deleted since. A bit is set only after its segment's delete succeeded (a tombstone never hides a segment that
/// still exists; a delete whose tombstone was never written costs one read of a missing key), and a deleted
/// segment number is never used again, so no bit is ever cleared.
/// </summary>
internal sealed class SegmentTombstones
{
    /// <summary>Segments per page.</summary>
    public const int PageSize = 4096;

    private readonly Dictionary<long, TombstonePage> _pages = [];
    private readonly HashSet<long> _unwritten = [];

    public static long PageOf(long segment) => segment / PageSize;

    /// <summary>Pages changed since <see cref="TakeUnwritten"/>: they go with the next write.</summary>
    public bool HasUnwritten => _unwritten.Count > 0;

    public bool IsDeleted(long segment) =>
        _pages.TryGetValue(PageOf(segment), out var page) && page.Has(segment % PageSize);

    /// <summary>Takes a page read from storage.</summary>
    public void Load(TombstonePage page) => _pages[page.Number] = page;

    /// <summary>Records a delete that storage has confirmed.</summary>
    public void MarkDeleted(long segment)
    {
        var number = PageOf(segment);
        if (!_pages.TryGetValue(number, out var page)) _pages[number] = page = new TombstonePage { Number = number };
        page.Set(segment % PageSize);
        _unwritten.Add(number);
    }

    /// <summary>The pages to write now.</summary>
    public List<TombstonePage> TakeUnwritten()
    {
        if (_unwritten.Count == 0) return [];
        var pages = _unwritten.Select(n => _pages[n]).ToList();
        _unwritten.Clear();
        return pages;
    }

    /// <summary>
    /// Forgets (and returns) pages with no tombstone at or above <paramref name="firstSegment"/>: nothing below it is
    /// ever read again, so a partition whose segments are all gone keeps no bookkeeping but its head.
    /// </summary>
    public List<long> TakeObsolete(long firstSegment)
    {
        if (_pages.Count == 0) return [];
        var obsolete = _pages.Values.Where(p => !p.HasAnyFrom(firstSegment - p.Number * PageSize)).Select(p => p.Number).ToList();
        foreach (var number in obsolete)
        {
            _pages.Remove(number);
            _unwritten.Remove(number);
        }
        return obsolete;
    }
}
