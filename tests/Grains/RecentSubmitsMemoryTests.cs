using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// What the memory of recent submit tokens costs: <c>PartitionOptions.SubmitDedupeWindow</c> says at most 100 bytes a
/// submit, at most 1,000,000 per partition (about 95 MB measured): a figure on top of the silo memory targets (idle +
/// 200 MB at 1,000,000 pending), reached only by a partition taking over 16,000 submits/s.
/// </summary>
public sealed class RecentSubmitsMemoryTests
{
    [Fact]
    public void AFullTokenMemory_CostsAtMost100BytesASubmit()
    {
        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var recent = new RecentSubmits(TimeSpan.FromMinutes(1), QueuePartition.MaxRecentSubmits);
        for (var i = 0; i < QueuePartition.MaxRecentSubmits; i++) recent.Add(new SubmitToken(Guid.NewGuid(), 0), i, at.AddTicks(i));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(recent);

        var perSubmit = (after - before) / (double)QueuePartition.MaxRecentSubmits;
        Assert.True(perSubmit <= 100, $"{perSubmit:0} bytes a submit, {(after - before) / 1e6:0} MB a partition at the cap");
    }
}
