using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>Tombstone pages: which segments activation may skip, and when a page is no longer needed.</summary>
public sealed class SegmentTombstonesTests
{
    [Fact]
    public void MarkDeleted_IsSeenByIsDeleted_AcrossPages_AndQueuesThePageForWriting()
    {
        var tombstones = new SegmentTombstones();

        tombstones.MarkDeleted(3);
        tombstones.MarkDeleted(SegmentTombstones.PageSize + 1);

        Assert.True(tombstones.IsDeleted(3));
        Assert.True(tombstones.IsDeleted(SegmentTombstones.PageSize + 1));
        Assert.False(tombstones.IsDeleted(4));
        Assert.False(tombstones.IsDeleted(SegmentTombstones.PageSize));
        Assert.Equal([0L, 1L], tombstones.TakeUnwritten().Select(p => p.Number).Order());
        Assert.False(tombstones.HasUnwritten);
    }

    [Fact]
    public void TakeObsolete_DropsPagesWithNoTombstoneAtOrAboveTheFirstSegment()
    {
        var tombstones = new SegmentTombstones();
        tombstones.MarkDeleted(1);
        tombstones.MarkDeleted(SegmentTombstones.PageSize + 10);

        Assert.Empty(tombstones.TakeObsolete(firstSegment: 0));
        Assert.Equal([0L], tombstones.TakeObsolete(firstSegment: 2));
        Assert.Empty(tombstones.TakeObsolete(firstSegment: SegmentTombstones.PageSize + 10));
        Assert.Equal([1L], tombstones.TakeObsolete(firstSegment: SegmentTombstones.PageSize + 11));
        Assert.False(tombstones.IsDeleted(1));
    }
}
