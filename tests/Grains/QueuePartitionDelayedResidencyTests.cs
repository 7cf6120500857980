using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Bounded memory for delayed tasks (invariant 6): segments of Scheduled and Retrying tasks leave memory like those of
/// pending ones, only their due times stay indexed, and promotion reads them back (ahead of time, or when due) without
/// losing or double-promoting a task. The test plays the grain: it keeps every written segment as "storage".
/// </summary>
public sealed class QueuePartitionDelayedResidencyTests
{
    private const int Segment = TaskSegment.Capacity;
    private const int Window = QueuePartition.PrefetchSegments;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly RetryPolicy NoRetries = new() { MaxRetries = 0 };
    private readonly PartitionOptions _options = new();
    private readonly SegmentStorageDouble _storage = new();

    private DateTimeOffset Due => _time.GetUtcNow().AddHours(1);

    private QueuePartition NewPartition() => new("q", 0, _options, NoRetries, () => 0.5);

    private void SubmitDelayed(QueuePartition partition, int count, DateTimeOffset due)
    {
        for (var i = 0; i < count; i++)
            partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray(), NotBefore = due }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
    }

    private void Write(QueuePartition partition) => _storage.Write(partition);

    /// <summary>What the grain's reader does: read back every wanted segment.</summary>
    private List<long> WarmWanted(QueuePartition partition) => _storage.WarmWanted(partition, _time.GetUtcNow());

    /// <summary>Promotes, reads back what promotion waits for and leases, until nothing is due; returns every leased sequence.</summary>
    private List<long> PromoteAndLeaseAll(QueuePartition partition)
    {
        var leased = new List<long>();
        for (var round = 0; round < 1_000; round++)
        {
            var promoted = partition.PromoteDue(_time.GetUtcNow());
            var read = WarmWanted(partition);
            var got = partition.Lease("w", round, int.MaxValue, _time.GetUtcNow());
            leased.AddRange(got.Select(t => t.Id.Sequence));
            if (promoted == 0 && read.Count == 0 && got.Count == 0 && !partition.PromotionAwaitsReads) break;
        }
        return leased;
    }

    /// <summary>A partition of <paramref name="segments"/> full segments of tasks due at <see cref="Due"/> (plus a one-task tail), all but the tail evicted.</summary>
    private QueuePartition ColdDelayedBacklog(int segments, out DateTimeOffset due)
    {
        due = Due;
        var partition = NewPartition();
        SubmitDelayed(partition, (segments * Segment) + 1, due);
        Write(partition);
        partition.Evict(maxResidentRecords: 1);
        return partition;
    }

    [Fact]
    public void Evict_LetsSegmentsOfDelayedTasksGoCold_KeepingTheirCount()
    {
        const int Total = (Window + 6) * Segment;
        var partition = NewPartition();
        SubmitDelayed(partition, Total, Due);
        Write(partition);

        var evicted = partition.Evict(maxResidentRecords: Window * Segment);

        Assert.True(evicted > 0);
        Assert.InRange(partition.ResidentRecords, 1, Window * Segment);
        Assert.Equal(Total, partition.Stats().Delayed);
        Assert.Equal(0, partition.Stats().Pending);
        Assert.Contains(Enumerable.Range(0, Total), s => partition.IsCold(s));
    }

    [Fact]
    public void PromoteDue_OfATaskWhoseSegmentIsCold_WaitsForTheRead_ThenPromotesEachTaskOnce()
    {
        var partition = ColdDelayedBacklog(3, out var due);
        Assert.True(partition.IsCold(0));
        _time.Advance(due - _time.GetUtcNow());

        // No read-ahead happened (as after a restart with everything due): only the warm tail is promoted; the cold
        // ones wait aside for their segments, which are asked for, and no timer is due for them meanwhile.
        Assert.Equal(1, partition.PromoteDue(_time.GetUtcNow()));
        Assert.True(partition.PromotionAwaitsReads);
        Assert.Null(partition.NextDue);
        Assert.Equal([0L, 1L, 2L], partition.TakeWanted(_time.GetUtcNow()).Order());
        Assert.Equal(0, partition.PromoteDue(_time.GetUtcNow()));

        foreach (var number in new long[] { 0, 1, 2 }) Assert.True(partition.Warm(_storage.Segments[number]));
        Assert.False(partition.PromotionAwaitsReads);
        Assert.Equal(3 * Segment, partition.PromoteDue(_time.GetUtcNow()));
        Assert.Equal(0, partition.PromoteDue(_time.GetUtcNow()));

        var leased = partition.Lease("w", 1, int.MaxValue, _time.GetUtcNow()).Select(t => t.Id.Sequence).ToList();
        Assert.Equal(Enumerable.Range(0, (3 * Segment) + 1).Select(i => (long)i), leased.Order());
        Assert.Equal(0, partition.Stats().Delayed);
    }

    [Fact]
    public void Prefetch_ReadsTheSegmentsOfTasksDueSoon_AheadOfTime_AndEvictionKeepsThemWarm()
    {
        var partition = ColdDelayedBacklog(2, out var due);
        _time.Advance(due - _time.GetUtcNow() - QueuePartition.DelayedPrefetch - TimeSpan.FromSeconds(1));
        Assert.Empty(partition.TakeWanted(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(2)); // now within the read-ahead
        Assert.Equal([0L, 1L], WarmWanted(partition).Order());
        partition.Evict(maxResidentRecords: 1);
        Assert.False(partition.IsCold(0));
        Assert.False(partition.IsCold(Segment));

        _time.Advance(due - _time.GetUtcNow());
        Assert.Equal((2 * Segment) + 1, partition.PromoteDue(_time.GetUtcNow()));
        Assert.False(partition.PromotionAwaitsReads);
    }

    [Fact]
    public void ManyColdSegmentsDueAtOnce_AreReadAWindowAtATime_AndEveryTaskIsPromotedOnce()
    {
        const int Segments = (3 * Window) + 5;
        var partition = ColdDelayedBacklog(Segments, out var due);

        _time.Advance(due - _time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(Window, WarmWanted(partition).Count); // read-ahead is capped, however much is due
        _time.Advance(TimeSpan.FromSeconds(1));
        partition.PromoteDue(_time.GetUtcNow());
        Assert.InRange(partition.TakeWanted(_time.GetUtcNow()).Count, 1, Window); // so are the reads promotion waits for
        Assert.True(partition.NextDue <= _time.GetUtcNow()); // the rest stay due in the index

        var leased = PromoteAndLeaseAll(partition);

        Assert.Equal(Enumerable.Range(0, (Segments * Segment) + 1).Select(i => (long)i), leased.Order());
        Assert.Equal(0, partition.Stats().Delayed);
        Assert.Equal(0, partition.Stats().Pending);
    }

    [Fact]
    public void Cancel_OfAColdDelayedTask_NeedsItsSegmentWarm_AndTheTaskIsThenNeverPromoted()
    {
        var partition = ColdDelayedBacklog(2, out var due);
        const long Victim = 5;

        // The grain warms the segment first; the model does not know a cold record.
        Assert.Equal([0L], partition.ColdSegmentsOf([Victim]));
        Assert.Equal(QueuePartition.CancelResult.Unknown, partition.Cancel(Victim, _time.GetUtcNow(), out _, out _));
        partition.Warm(_storage.Segments[0]);
        Assert.Equal(QueuePartition.CancelResult.Cancelled, partition.Cancel(Victim, _time.GetUtcNow(), out _, out _));
        Assert.Equal(2 * Segment, partition.Stats().Delayed);
        Write(partition);
        partition.Evict(maxResidentRecords: 1);
        Assert.True(partition.IsCold(Victim));

        _time.Advance(due - _time.GetUtcNow());
        var leased = PromoteAndLeaseAll(partition);

        Assert.Equal((2 * Segment) + 1 - 1, leased.Count);
        Assert.DoesNotContain(Victim, leased);
    }

    [Fact]
    public void RetryingTasks_GoColdToo_AndComeBackAfterTheirBackoff_ForTheNextAttempt()
    {
        var retry = new RetryPolicy { MaxRetries = 3, RetryDelay = TimeSpan.FromHours(1), Jitter = 0 };
        var partition = new QueuePartition("q", 0, _options, retry, () => 0.5);
        for (var i = 0; i < (2 * Segment) + 1; i++) partition.Submit(new TaskSubmission { TaskName = "t", Payload = [] }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
        foreach (var task in partition.Lease("w", 1, int.MaxValue, _time.GetUtcNow()))
        {
            var error = new TaskError("boom", "X", null, task.Attempt, _time.GetUtcNow());
            partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(error, Retryable: true)), _time.GetUtcNow());
        }
        Write(partition);
        Assert.Equal((2 * Segment) + 1, partition.Stats().Delayed);

        partition.Evict(maxResidentRecords: 1);
        Assert.True(partition.IsCold(0));
        _time.Advance(TimeSpan.FromHours(1));
        var again = new List<LeasedTask>();
        for (var round = 0; round < 10 && again.Count < (2 * Segment) + 1; round++)
        {
            partition.PromoteDue(_time.GetUtcNow());
            WarmWanted(partition);
            again.AddRange(partition.Lease("w", 2 + round, int.MaxValue, _time.GetUtcNow()));
        }

        Assert.Equal((2 * Segment) + 1, again.Count);
        Assert.All(again, t => Assert.Equal(2, t.Attempt));
    }

    [Fact]
    public void AColdSegmentOfDelayedTasksLostFromStorage_IsUncounted_WakesItsWaiters_AndPromotionGoesOn()
    {
        var partition = ColdDelayedBacklog(2, out var due);
        partition.TakeFinished();

        Assert.Equal(Segment, partition.ForgetColdSegment(0));

        Assert.Equal(Segment + 1, partition.Stats().Delayed);
        Assert.Equal(Enumerable.Range(0, Segment).Select(i => (long)i), partition.TakeFinished().Order());
        _time.Advance(due - _time.GetUtcNow());
        var leased = PromoteAndLeaseAll(partition);
        Assert.Equal(Enumerable.Range(Segment, Segment + 1).Select(i => (long)i), leased.Order());
        Assert.Equal(0, partition.Stats().Delayed);
    }

    [Fact]
    public void Retention_NeverDeletesAColdSegmentOfDelayedTasks()
    {
        var partition = NewPartition();
        SubmitDelayed(partition, Segment + 1, _time.GetUtcNow().AddDays(30));
        Write(partition);
        partition.Evict(maxResidentRecords: 1);
        Assert.True(partition.IsCold(0));

        _time.Advance(_options.FailedTtl + TimeSpan.FromDays(1));

        Assert.Equal(0, partition.RemoveExpired(_time.GetUtcNow()));
        Assert.True(partition.IsCold(0));
        Assert.Equal(Segment + 1, partition.Stats().Delayed);
    }

    [Fact]
    public void Restore_OfADelayedBacklogOverTheBudget_LeavesItCold_AndPromotesEachTaskOnceWhenDue()
    {
        const int Segments = Window + 4;
        var first = NewPartition();
        var due = Due;
        SubmitDelayed(first, Segments * Segment, due);
        Write(first);

        var restored = new QueuePartition("q", 0, _options, NoRetries, () => 0.5, first.Head);
        restored.Restore(_storage.Segments.Values, _time.GetUtcNow());
        restored.Evict(maxResidentRecords: 4 * Segment);

        Assert.InRange(restored.ResidentRecords, 1, 4 * Segment);
        Assert.Equal(Segments * Segment, restored.Stats().Delayed);
        _time.Advance(due - _time.GetUtcNow());
        var leased = PromoteAndLeaseAll(restored);
        Assert.Equal(Enumerable.Range(0, Segments * Segment).Select(i => (long)i), leased.Order());
    }
}
