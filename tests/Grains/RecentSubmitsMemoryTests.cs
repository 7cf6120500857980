using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// What the memory of recent submit tokens costs: <c>PartitionOptions.SubmitDedupeWindow</c> says at most 100 bytes a
/// submit, at most 1,000,000 per partition (about 95 MB measured): a figure on top of the silo memory targets (idle +
/// 200 MB at 1,000,000 pending), reached only by a partition taking over 16,000 submits/s.
/// </summary>
[Collection(MeasuredGroup.Name)]
public sealed class RecentSubmitsMemoryTests
{
    [Fact]
    public void AFullTokenMemory_CostsAtMost100BytesASubmit()
    {
        // The median of three fillings: even alone, the test process's background threads (timers, the test host) can
        // allocate between two readings, and a single reading would report their objects as ours.
        var perSubmit = new[] { BytesASubmit(), BytesASubmit(), BytesASubmit() }.Order().ElementAt(1);

        Assert.True(perSubmit <= 100,
            $"{perSubmit:0} bytes a submit, {perSubmit * QueuePartition.MaxRecentSubmits / 1e6:0} MB a partition at the cap");
    }

    private static double BytesASubmit()
    {
        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var recent = new RecentSubmits(TimeSpan.FromMinutes(1), QueuePartition.MaxRecentSubmits);
        for (var i = 0; i < QueuePartition.MaxRecentSubmits; i++) recent.Add(new SubmitToken(Guid.NewGuid(), 0), i, at.AddTicks(i));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(recent);
        return (after - before) / (double)QueuePartition.MaxRecentSubmits;
    }
}
