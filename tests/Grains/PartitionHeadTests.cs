using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>Activation's choice between the head key and the copies of the head that segments carry.</summary>
public sealed class PartitionHeadTests
{
    [Fact]
    public void CatchUp_TakesEveryFieldOfANewerCopy()
    {
        var head = new PartitionHead { Writes = 5, NextSequence = 64, Succeeded = 10, Epoch = 3 };
        head.CatchUp(new PartitionHead { Writes = 9, NextSequence = 80, Succeeded = 20, Failed = 2, Cancelled = 1, Paused = true, Epoch = 3, ClosedCleanly = true });

        Assert.Equal((9, 80, 20, 2, 1, true, 3, true), (head.Writes, head.NextSequence, head.Succeeded, head.Failed, head.Cancelled, head.Paused, head.Epoch, head.ClosedCleanly));
    }

    [Fact]
    public void CatchUp_IgnoresACopyNoNewerThanTheHeadKey()
    {
        var head = new PartitionHead { Writes = 9, NextSequence = 80, Succeeded = 20, Paused = true };
        head.CatchUp(new PartitionHead { Writes = 9, NextSequence = 70, Succeeded = 1 });
        head.CatchUp(new PartitionHead { Writes = 4, NextSequence = 200, Succeeded = 1 });

        Assert.Equal((9, 80, 20, true), (head.Writes, head.NextSequence, head.Succeeded, head.Paused));
    }

    [Fact]
    public void CatchUp_NeverMovesTheNextSequenceOrTheEpochBack()
    {
        // Restore may already have raised the next sequence past a record the copy predates.
        var head = new PartitionHead { Writes = 1, NextSequence = 130, Epoch = 7 };
        head.CatchUp(new PartitionHead { Writes = 2, NextSequence = 100, Epoch = 6 });

        Assert.Equal((130, 7), (head.NextSequence, head.Epoch));
    }

    [Fact]
    public void CatchUp_IgnoresACopyOfAnOlderEpoch_HoweverManyWritesItCounts()
    {
        // A stale activation (epoch 3) still writing segments after epoch 4 paused the queue and wrote the head key.
        var head = new PartitionHead { Writes = 10, NextSequence = 80, Succeeded = 20, Paused = true, Epoch = 4 };
        head.CatchUp(new PartitionHead { Writes = 15, NextSequence = 90, Succeeded = 25, Paused = false, Epoch = 3 });

        Assert.Equal((10, 80, 20, true, 4), (head.Writes, head.NextSequence, head.Succeeded, head.Paused, head.Epoch));
    }

    [Fact]
    public void IsNewerThan_PrefersTheLaterEpoch_ThenTheLaterWrite()
    {
        var stale = new PartitionHead { Writes = 15, Epoch = 3 };
        var current = new PartitionHead { Writes = 12, Epoch = 4 };

        Assert.True(current.IsNewerThan(stale));
        Assert.False(stale.IsNewerThan(current));
        Assert.True(new PartitionHead { Writes = 13, Epoch = 4 }.IsNewerThan(current));
        Assert.True(stale.IsNewerThan(null));
    }
}
