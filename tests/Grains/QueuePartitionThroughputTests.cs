using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>What a partition's stats say of its recent throughput and of its longest-waiting task, on a fake clock.</summary>
public sealed class QueuePartitionThroughputTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 7, 10, 3, TimeSpan.Zero));
    private readonly QueuePartition _partition = new("q", 0, new PartitionOptions(), new RetryPolicy { MaxRetries = 1, RetryDelay = TimeSpan.FromSeconds(1), Jitter = 0 }, () => 0.5);

    private DateTimeOffset Now => _time.GetUtcNow();

    private void Submit(int count)
    {
        for (var i = 0; i < count; i++) _partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, Now);
        _partition.CommitStaged(_partition.TakeStaged());
    }

    private void Fail(LeasedTask task) =>
        Assert.True(_partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(new TaskError("no", null, null, 1, Now), Retryable: true)), Now));

    [Fact]
    public void Recent_CountsSubmitsSuccessesAndFailedAttempts_InTheBucketsTheyHappenedIn_MatchingTheTotals()
    {
        Submit(3);
        var leased = _partition.Lease("w", 0, 3, Now);
        Assert.True(_partition.Complete(new TaskCompletion(leased[0].Lease, new TaskOutcome.Succeeded("1"u8.ToArray())), Now));
        _time.Advance(TimeSpan.FromSeconds(10));
        Fail(leased[1]); // retried
        Fail(leased[2]);
        _time.Advance(TimeSpan.FromSeconds(1));
        _partition.PromoteDue(Now);
        foreach (var retry in _partition.Lease("w", 1, 2, Now)) Fail(retry); // dead-lettered: its second failed attempt

        var stats = _partition.Stats(Now);

        Assert.Equal(60, stats.Recent.Count);
        Assert.Equal(new ThroughputBucket(ThroughputBucket.StartOf(Now - TimeSpan.FromSeconds(11)), 3, 1, 0), stats.Recent[^2]);
        Assert.Equal(new ThroughputBucket(ThroughputBucket.StartOf(Now), 0, 0, 4), stats.Recent[^1]);
        Assert.Equal(stats.Succeeded, stats.Recent.Sum(b => b.Succeeded));
        Assert.Equal(stats.Failed, stats.Recent.Sum(b => b.Failed));
        Assert.Empty(_partition.Stats().Recent); // the gauges' stats carry no history
    }

    [Fact]
    public void OldestPendingSince_IsTheEarliestRunnableWaitingTask_AndNullWhenNoneWaits()
    {
        Assert.Null(_partition.Stats(Now).OldestPendingSince);
        var first = Now;
        Submit(1);
        _time.Advance(TimeSpan.FromSeconds(30));
        Submit(1);

        Assert.Equal(first, _partition.Stats(Now).OldestPendingSince);
        _partition.Lease("w", 0, 1, Now);
        Assert.Equal(first + TimeSpan.FromSeconds(30), _partition.Stats(Now).OldestPendingSince);
        _partition.Lease("w", 1, 1, Now);
        Assert.Null(_partition.Stats(Now).OldestPendingSince);
    }
}
