using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Bounded memory (invariant 6): which segments leave memory, how leasing waits for them to be read back,
/// and how retention deletes them unread. The test plays the grain: it keeps every written segment as "storage".
/// </summary>
public sealed class QueuePartitionResidencyTests
{
    private const int Segment = TaskSegment.Capacity;
    private const int Window = QueuePartition.PrefetchSegments;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly RetryPolicy NoRetries = new() { MaxRetries = 0 };
    private readonly PartitionOptions _options = new();
    private readonly SegmentStorageDouble _storage = new();

    private QueuePartition NewPartition() => new("q", 0, _options, NoRetries, () => 0.5);

    private void Submit(QueuePartition partition, int count, TaskPriority priority = TaskPriority.Normal, Func<int, string?>? key = null)
    {
        for (var i = 0; i < count; i++)
            partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray(), Priority = priority, IdempotencyKey = key?.Invoke(i) }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
    }

    private void Write(QueuePartition partition) => _storage.Write(partition);

    private void WarmWanted(QueuePartition partition) => _storage.WarmWanted(partition, _time.GetUtcNow());

    [Fact]
    public void Evict_DropsWaitingSegmentsFarthestFromTheFront_KeepingThePrefetchWindow()
    {
        var partition = NewPartition();
        Submit(partition, (Window + 6) * Segment);
        Write(partition);

        var evicted = partition.Evict(maxResidentRecords: Window * Segment);

        // The budget of one window is met by evicting the 6 farthest segments; the window at the front stays.
        Assert.Equal(6, evicted);
        Assert.Equal(Window * Segment, partition.ResidentRecords);
        Assert.False(partition.IsCold((Window * Segment) - 1));
        Assert.True(partition.IsCold(Window * Segment));
        Assert.True(partition.IsCold(((Window + 6) * Segment) - 1));
        Assert.Equal((Window + 6) * Segment, partition.Stats().Pending);
    }

    [Fact]
    public void Evict_KeepsThePartlyFilledTail_SoLaterSubmitsLandBesideItsRecords()
    {
        var partition = NewPartition();
        const int Full = Window + 6;
        Submit(partition, (Full * Segment) + 10);
        Write(partition);

        partition.Evict(maxResidentRecords: Window * Segment);
        Submit(partition, 10);
        Write(partition);

        Assert.True(partition.IsCold((Full * Segment) - 1));
        Assert.False(partition.IsCold(Full * Segment));
        Assert.Equal(20, _storage.Segments[Full].Tasks.Count());
        Assert.Equal((Full * Segment) + 20, partition.Stats().Pending);
    }

    [Fact]
    public void Leasing_StopsAtAColdSegment_UntilItIsWarm_AndKeepsFifoOrder()
    {
        var partition = NewPartition();
        Submit(partition, (Window + 6) * Segment);
        Write(partition);
        partition.Evict(maxResidentRecords: Window * Segment);

        // Without reading anything back, leasing hands out the warm front and then stops: it never skips a cold task.
        var warmOnly = partition.Lease("w", 1, int.MaxValue, _time.GetUtcNow());
        Assert.Equal(Enumerable.Range(0, Window * Segment).Select(i => (long)i), warmOnly.Select(t => t.Id.Sequence));
        Assert.Empty(partition.Lease("w", 2, 10, _time.GetUtcNow()));
        Assert.Equal(6 * Segment, partition.Stats().Pending);

        var leased = new List<long>();
        for (var request = 3; leased.Count < 6 * Segment && request < 10_000; request++)
        {
            WarmWanted(partition);
            leased.AddRange(partition.Lease("w", request, 100, _time.GetUtcNow()).Select(t => t.Id.Sequence));
        }

        Assert.Equal(Enumerable.Range(Window * Segment, 6 * Segment).Select(i => (long)i), leased);
        Assert.Equal(0, partition.Stats().Pending);
    }

    [Fact]
    public void Prefetch_AsksForTheColdSegmentsWithinTheWindowOfEachFront()
    {
        var partition = NewPartition();
        Submit(partition, (Window + 6) * Segment);
        Write(partition);
        partition.Evict(maxResidentRecords: Window * Segment);
        Assert.Empty(partition.TakeWanted(_time.GetUtcNow()));

        // One task past the first segment moves the front to segment 1: the first cold segment enters the window.
        partition.Lease("w", 1, Segment + 1, _time.GetUtcNow());

        Assert.Equal([(long)Window], partition.TakeWanted(_time.GetUtcNow()));
    }

    [Fact]
    public void Lease_KeepsStrictPriority_WhenAHigherPrioritysNextTaskIsCold()
    {
        var partition = NewPartition();
        const int Critical = Window + 1; // the first Critical segment, past Low's window
        Submit(partition, Critical * Segment, TaskPriority.Low);
        Submit(partition, (Window + 2) * Segment, TaskPriority.Critical);
        Write(partition);
        partition.Evict(maxResidentRecords: Window * Segment);
        var firstCold = Critical + Window;
        Assert.True(partition.IsCold(firstCold * Segment)); // far from both fronts

        var leased = partition.Lease("w", 1, int.MaxValue, _time.GetUtcNow());

        // Critical's warm window is handed out; then leasing waits for the next segment rather than run Low tasks.
        Assert.Equal(Window * Segment, leased.Count);
        Assert.All(leased, t => Assert.InRange(t.Id.Sequence, Critical * Segment, (firstCold * Segment) - 1));
        Assert.Contains((long)firstCold, partition.TakeWanted(_time.GetUtcNow()));
    }

    [Fact]
    public void Evict_KeepsUnwrittenRunningAndDelayedSegments()
    {
        const int Full = Window + 8;
        var partition = NewPartition();
        Submit(partition, Full * Segment);
        Assert.Equal(0, partition.Evict(Segment)); // nothing written yet (8 segments are past the front's window)

        var dirty = partition.TakeDirty();
        Assert.Equal(0, partition.Evict(Segment)); // the write is in flight
        foreach (var (number, segment) in dirty) _storage.Segments[number] = segment!;
        partition.Settle();

        // A delayed task in the segment after them and the last task, still running, pin their segments.
        partition.Submit(new TaskSubmission { TaskName = "t", Payload = [], NotBefore = _time.GetUtcNow().AddHours(1) }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
        Write(partition);
        var leased = partition.Lease("w", 1, int.MaxValue, _time.GetUtcNow());
        var running = leased[^1];
        foreach (var task in leased.SkipLast(1))
            partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow());
        Write(partition);

        partition.Evict(Segment);

        Assert.False(partition.IsCold(running.Id.Sequence));
        Assert.False(partition.IsCold(Full * Segment));
        Assert.True(partition.IsCold(0));
        Assert.True(partition.IsCold(running.Id.Sequence - Segment));
    }

    [Fact]
    public void FinishedSegmentsLeaveFirst_ThenWaitingOnesFarthestFromTheFront_AndAreReadBackForStatus()
    {
        const int Far = 6;
        var partition = NewPartition();
        Submit(partition, 2 * Segment);
        foreach (var task in partition.Lease("w", 1, 2 * Segment, _time.GetUtcNow()))
            partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("1"u8.ToArray())), _time.GetUtcNow());
        Submit(partition, (Window + Far) * Segment); // the front's window, then Far more
        Write(partition);
        var resident = 2 + Window + Far;

        // One segment over budget: eviction goes down to three quarters of it.
        var evicted = partition.Evict(maxResidentRecords: (resident - 1) * Segment);

        Assert.Equal(resident - ((resident - 1) * 3 / 4), evicted);
        Assert.True(partition.IsCold(0));
        Assert.True(partition.IsCold((2 * Segment) - 1));
        Assert.False(partition.IsCold(2 * Segment)); // the front
        Assert.False(partition.IsCold((2 + Window) * Segment)); // the nearest waiting segment past the window
        Assert.True(partition.IsCold(((resident - 1) * Segment) + 1)); // the farthest
        Assert.Null(partition.GetInfo(5)); // the grain warms before asking
        Assert.Equal([0L], partition.ColdSegmentsOf([5, 6, 2 * Segment]));
        Assert.True(partition.Warm(_storage.Segments[0]));
        Assert.Equal(TaskState.Succeeded, partition.GetInfo(5)!.State);
        Assert.Equal("1", partition.GetInfo(5)!.ResultJson);
    }

    [Fact]
    public void Retention_DeletesColdSegmentsUnread_WithTheirDeadLettersAndIdempotencyKeys()
    {
        var partition = NewPartition();
        Submit(partition, Segment, key: i => $"k{i}");
        foreach (var task in partition.Lease("w", 1, Segment, _time.GetUtcNow()))
        {
            var outcome = task.Id.Sequence == 0
                ? (TaskOutcome)new TaskOutcome.Failed(new TaskError("boom", "X", null, 1, _time.GetUtcNow()), Retryable: false)
                : new TaskOutcome.Succeeded("null"u8.ToArray());
            partition.Complete(new TaskCompletion(task.Lease, outcome), _time.GetUtcNow());
        }
        Submit(partition, (Window + 2) * Segment);
        Write(partition);
        partition.Evict(maxResidentRecords: Window * Segment);
        Assert.True(partition.IsCold(0));
        Assert.Equal(1, partition.Stats().DeadLettered);

        _time.Advance(_options.FailedTtl);
        Assert.Equal(1, partition.RemoveExpired(_time.GetUtcNow()));

        Assert.Contains((0L, (TaskSegment?)null), partition.TakeDirty());
        Assert.Equal(0, partition.Stats().DeadLettered);
        Assert.Equal(1, partition.Head.FirstSegment);
        // The key is free again: the same key makes a new task instead of naming the deleted one.
        var again = partition.Submit(new TaskSubmission { TaskName = "t", Payload = [], IdempotencyKey = "k0" }, _time.GetUtcNow());
        Assert.Equal((Window + 3) * Segment, again.Sequence);
    }
}
