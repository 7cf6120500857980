using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Listings by state and purge on the pure model, on a fake clock: served order, stale entries skipped, cold segments
/// named rather than guessed at, purge in bounded chunks through the cancel transition. The test plays the grain's storage.
/// </summary>
public sealed class QueuePartitionListingTests
{
    private const int Segment = TaskSegment.Capacity;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SegmentStorageDouble _storage = new();
    private readonly QueuePartition _partition = new("q", 0, new PartitionOptions(), RetryPolicy.None, () => 0.5);

    private long Submit(string name = "t", TaskPriority priority = TaskPriority.Normal, TimeSpan? delay = null)
    {
        var id = _partition.Submit(new TaskSubmission { TaskName = name, Payload = "{}"u8.ToArray(), Priority = priority, NotBefore = delay is { } d ? _time.GetUtcNow() + d : null }, _time.GetUtcNow());
        _partition.CommitStaged(_partition.TakeStaged());
        return id.Sequence;
    }

    private List<long> List(TaskState state, int limit = 500)
    {
        var cold = new HashSet<long>();
        var listed = _partition.ListTasks(state, limit, cold);
        Assert.Empty(cold);
        return [.. listed.Select(t => t.Id.Sequence)];
    }

    [Fact]
    public void Pending_ComesHighestPriorityFirst_FifoWithin_SkippingCancelledAndLeasedTasks()
    {
        var low = Submit(priority: TaskPriority.Low);
        var first = Submit();
        var leased = Submit(priority: TaskPriority.Critical);
        _partition.Lease("w", 1, 1, _time.GetUtcNow());
        var critical = Submit(priority: TaskPriority.Critical);
        var cancelled = Submit();
        var second = Submit();
        _partition.Cancel(cancelled, _time.GetUtcNow(), out _, out _);

        Assert.Equal([critical, first, second, low], List(TaskState.Pending));
        Assert.Equal([critical, first], List(TaskState.Pending, limit: 2));
        Assert.Equal([leased], List(TaskState.Running));
        Assert.All(_partition.ListTasks(TaskState.Pending, 10, []), t => Assert.Null(t.Payload));
    }

    [Fact]
    public void Delayed_ComeByDueTime_ScheduledAndRetryingAlike_SkippingCancelled()
    {
        var late = Submit(delay: TimeSpan.FromMinutes(30));
        var soon = Submit(delay: TimeSpan.FromMinutes(10));
        var cancelled = Submit(delay: TimeSpan.FromMinutes(1));
        _partition.Cancel(cancelled, _time.GetUtcNow(), out _, out _);
        var failing = Submit();
        var retry = new RetryPolicy { MaxRetries = 1, RetryDelay = TimeSpan.FromMinutes(20), ExponentialBackoff = false, Jitter = 0 };
        var task = _partition.Lease("w", 1, 1, _time.GetUtcNow()).Single();
        Assert.Equal(failing, task.Id.Sequence);
        Assert.True(_partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(new TaskError("x", null, null, 1, _time.GetUtcNow()), true)), _time.GetUtcNow()));

        Assert.Equal([soon, late], List(TaskState.Scheduled));
        Assert.Equal([soon, late], List(TaskState.Retrying));
        Assert.Equal([soon], List(TaskState.Scheduled, limit: 1));
    }

    [Fact]
    public void AListReachingColdSegments_NamesOnlyThoseItReaches_SkipsOnesWithNothingPending_AndListsThemOnceRead()
    {
        var sequences = Enumerable.Range(0, 40 * Segment).Select(_ => Submit()).ToList();
        // The first 16 segments (the front's read-ahead window, never evicted) cancelled: their entries stay in the line.
        // So is segment 17: it goes cold with nothing pending, and its stale entries must be skipped unread.
        var cancelled = sequences.Take(16 * Segment).Concat(sequences.Skip(17 * Segment).Take(Segment)).ToHashSet();
        foreach (var sequence in cancelled) _partition.Cancel(sequence, _time.GetUtcNow(), out _, out _);
        _storage.Write(_partition);
        Assert.True(_partition.Evict(maxResidentRecords: 4 * Segment) > 0);
        Assert.True(_partition.IsCold(sequences[16 * Segment]));
        Assert.True(_partition.IsCold(sequences[17 * Segment]));

        var cold = new HashSet<long>();
        var listed = _partition.ListTasks(TaskState.Pending, 500, cold);

        Assert.Empty(listed);
        var first = TaskSegment.NumberOf(sequences[0]);
        // 500 entries reach 8 segments: 16, then 18 to 24 (17 holds nothing pending).
        Assert.Equal(new long[] { 16, 18, 19, 20, 21, 22, 23, 24 }.Select(n => first + n).Order(), cold.Order());
        foreach (var number in cold) Assert.True(_partition.Warm(_storage.Segments[number]));
        Assert.Equal(sequences.Where(s => !cancelled.Contains(s)).Take(500), List(TaskState.Pending));
    }

    [Fact]
    public void PurgeWarm_CancelsWaitingTasksOfTheName_UpToTheChunk_AndLeavesRunningOnes()
    {
        var running = Submit();
        _partition.Lease("w", 1, 1, _time.GetUtcNow());
        var waiting = Enumerable.Range(0, 5).Select(_ => Submit()).ToList();
        var delayed = Submit(delay: TimeSpan.FromHours(1));
        var other = Submit("other");
        var below = _partition.NextSequence;
        var later = Submit();

        Assert.Equal(4, _partition.PurgeWarm("t", below, 4, _time.GetUtcNow()));
        Assert.Equal(2, _partition.PurgeWarm("t", below, 4, _time.GetUtcNow()));
        Assert.Equal(0, _partition.PurgeWarm("t", below, 4, _time.GetUtcNow()));

        Assert.All(waiting.Append(delayed), s => Assert.Equal(TaskState.Cancelled, _partition.GetInfo(s)!.State));
        Assert.Equal(TaskState.Running, _partition.GetInfo(running)!.State);
        Assert.Equal([other, later], List(TaskState.Pending));
        Assert.Equal(6, _partition.Stats().Cancelled);
        Assert.Equal(waiting.Append(delayed).Order(), _partition.TakeFinished().Order());
        Assert.Equal(6, _partition.CompactIndexes()); // the five line entries and the delayed one's
        Assert.Equal(0, _partition.CompactIndexes());
        Assert.Equal([other, later], List(TaskState.Pending));
        Assert.Empty(List(TaskState.Scheduled));
        Assert.Null(_partition.NextDue);
    }

    [Fact]
    public void PurgeWarm_PassesOverASubmitWhoseWriteIsInFlight_AndTheCountsStayTrue()
    {
        var waiting = Submit();
        // A submit taken by a write that has not landed yet: not staged any more, not yet indexed or counted.
        var inFlight = _partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, _time.GetUtcNow()).Sequence;
        var writing = _partition.TakeStaged();
        var below = _partition.NextSequence;

        Assert.Equal(1, _partition.PurgeWarm(null, below, 10, _time.GetUtcNow()));
        _partition.CommitStaged(writing);

        Assert.Equal(TaskState.Cancelled, _partition.GetInfo(waiting)!.State);
        Assert.Equal(TaskState.Pending, _partition.GetInfo(inFlight)!.State);
        var stats = _partition.Stats();
        Assert.Equal(1, stats.Pending);
        Assert.Equal(1, stats.Cancelled);
        Assert.Equal([inFlight], List(TaskState.Pending));
    }

    [Fact]
    public void Cancel_OfASubmitWhoseWriteIsInFlight_IsUnknown_AsWhileStaged_AndTheCountsStayTrue()
    {
        var inFlight = _partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, _time.GetUtcNow()).Sequence;
        var writing = _partition.TakeStaged();

        Assert.Equal(QueuePartition.CancelResult.Unknown, _partition.Cancel(inFlight, _time.GetUtcNow(), out _, out _));
        _partition.CommitStaged(writing);

        Assert.Equal(TaskState.Pending, _partition.GetInfo(inFlight)!.State);
        Assert.Equal(1, _partition.Stats().Pending);
        Assert.Equal(0, _partition.Stats().Cancelled);
    }

    [Fact]
    public void ListingAnotherState_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskListing.Check(TaskState.Succeeded, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskListing.Check(TaskState.DeadLettered, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskListing.Check(TaskState.Pending, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskListing.Check(TaskState.Pending, TaskListing.MaxLimit + 1));
    }
}
