namespace DistributedTaskQueue.Queue;

/// <summary>One page of tombstones: bit i says segment <c>Number × 4096 + i</c> was deleted.</summary>
[GenerateSerializer, Alias("dtq.TombstonePage")]
internal sealed class TombstonePage
{
    [Id(0)] public long Number { get; set; }
    [Id(1)] public ulong[] Bits { get; set; } = new ulong[SegmentTombstones.PageSize / 64];

    public bool Has(long index) => (Bits[index / 64] & (1UL << (int)(index % 64))) != 0;

    public void Set(long index) => Bits[index / 64] |= 1UL << (int)(index % 64);

    /// <summary>Whether any bit at or after <paramref name="index"/> is set (an index below 0 means the whole page).</summary>
    public bool HasAnyFrom(long index)
    {
        if (index >= SegmentTombstones.PageSize) return false;
        for (var i = Math.Max(index, 0); i < SegmentTombstones.PageSize; i++)
        {
            if (Has(i)) return true;
        }
        return false;
    }
}
