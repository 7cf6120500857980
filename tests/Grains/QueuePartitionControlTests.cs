using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>Cancel, idempotent submits, releases, dead silos and dead letters, on a fake clock.</summary>
public sealed class QueuePartitionControlTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly PartitionOptions _options = new();
    private readonly QueuePartition _partition;

    public QueuePartitionControlTests() => _partition = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5);

    private TaskId Submit(string name = "t", string? key = null, DateTimeOffset? notBefore = null)
    {
        var id = _partition.Submit(new TaskSubmission { TaskName = name, Payload = "{}"u8.ToArray(), IdempotencyKey = key, NotBefore = notBefore }, _time.GetUtcNow());
        _partition.CommitStaged(_partition.TakeStaged());
        return id;
    }

    private void Fail(LeasedTask task, bool retryable = false) =>
        _partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(new TaskError("x", null, null, task.Attempt, _time.GetUtcNow()), retryable)), _time.GetUtcNow());

    [Fact]
    public void Cancel_APendingTask_RemovesItFromTheQueue()
    {
        var id = Submit();
        var other = Submit();

        Assert.Equal(QueuePartition.CancelResult.Cancelled, _partition.Cancel(id.Sequence, _time.GetUtcNow(), out _, out _));

        Assert.Equal(TaskState.Cancelled, _partition.GetInfo(id.Sequence)!.State);
        Assert.Equal(other, Assert.Single(_partition.Lease("w", 0, 10, _time.GetUtcNow())).Id);
        var stats = _partition.Stats();
        Assert.Equal(1, stats.Cancelled);
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public void Cancel_ADelayedTask_CancelsIt()
    {
        var id = Submit(notBefore: _time.GetUtcNow().AddMinutes(1));

        Assert.Equal(QueuePartition.CancelResult.Cancelled, _partition.Cancel(id.Sequence, _time.GetUtcNow(), out _, out _));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _partition.PromoteDue(_time.GetUtcNow()));
        Assert.Equal(0, _partition.Stats().Delayed);
    }

    [Fact]
    public void Cancel_ARunningTask_NamesItsWorker_AndEndsCancelledWhenTheAttemptEnds()
    {
        var id = Submit();
        var task = _partition.Lease("worker-1", 0, 1, _time.GetUtcNow())[0];

        Assert.Equal(QueuePartition.CancelResult.Requested, _partition.Cancel(id.Sequence, _time.GetUtcNow(), out var worker, out var attempt));
        Assert.Equal("worker-1", worker);
        Assert.Equal(task.Attempt, attempt.Attempt);
        Assert.Equal(TaskState.Running, _partition.GetInfo(id.Sequence)!.State);

        Fail(task, retryable: true);
        Assert.Equal(TaskState.Cancelled, _partition.GetInfo(id.Sequence)!.State);
        Assert.Equal(1, _partition.Stats().Cancelled);
    }

    [Fact]
    public void Cancel_ARunningTaskWhoseWorkerDies_EndsCancelled_NotRedelivered()
    {
        var id = Submit();
        _partition.Lease("10.0.0.1:11111@1", 0, 1, _time.GetUtcNow());
        _partition.Cancel(id.Sequence, _time.GetUtcNow(), out _, out _);

        _partition.ReleaseWorker(w => w == "10.0.0.1:11111@1", _time.GetUtcNow());

        Assert.Equal(TaskState.Cancelled, _partition.GetInfo(id.Sequence)!.State);
        Assert.Empty(_partition.Lease("other", 0, 1, _time.GetUtcNow()));
    }

    [Fact]
    public void Cancel_AFinishedOrUnknownTask_ChangesNothing()
    {
        var id = Submit();
        var task = _partition.Lease("w", 0, 1, _time.GetUtcNow())[0];
        _partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow());

        Assert.Equal(QueuePartition.CancelResult.AlreadyFinished, _partition.Cancel(id.Sequence, _time.GetUtcNow(), out _, out _));
        Assert.Equal(QueuePartition.CancelResult.Unknown, _partition.Cancel(12345, _time.GetUtcNow(), out _, out _));
        Assert.Equal(TaskState.Succeeded, _partition.GetInfo(id.Sequence)!.State);
    }

    [Fact]
    public void Submit_WithAnExistingIdempotencyKey_ReturnsTheFirstTask_AndCreatesNothing()
    {
        var first = Submit(key: "order-42");
        var again = Submit(key: "order-42");
        var other = Submit(key: "order-43");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(2, _partition.Stats().Pending);
    }

    [Fact]
    public void IdempotencyKeys_SurviveRestore()
    {
        var first = Submit(key: "k");
        var restored = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5, _partition.Head);
        restored.Restore(_partition.TakeDirty().Select(d => d.Segment!), _time.GetUtcNow());

        Assert.Equal(first, restored.Submit(new TaskSubmission { TaskName = "t", Payload = [], IdempotencyKey = "k" }, _time.GetUtcNow()));
    }

    [Fact]
    public void Released_PutsTheTaskBackInLine_WithoutCountingAFailure()
    {
        var id = Submit();
        var task = _partition.Lease("w", 0, 1, _time.GetUtcNow())[0];

        Assert.True(_partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Released()), _time.GetUtcNow()));

        Assert.Equal(TaskState.Pending, _partition.GetInfo(id.Sequence)!.State);
        Assert.Equal(0, _partition.Stats().Failed);
        Assert.Equal(2, _partition.Lease("w2", 0, 1, _time.GetUtcNow())[0].Attempt);
    }

    [Fact]
    public void Reclaim_GivesALostLeaseReplyBack_ToTheSameCall_EvenAfterRestore()
    {
        Submit("a");
        Submit("b");
        Submit("c");
        var first = _partition.Lease("w", requestId: 7, 2, _time.GetUtcNow());
        var restored = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5, _partition.Head);
        restored.Restore(_partition.TakeDirty().Select(d => d.Segment!), _time.GetUtcNow());

        Assert.Empty(restored.Reclaim("w", requestId: 8, 10, _time.GetUtcNow()));
        Assert.Empty(restored.Reclaim("other", requestId: 7, 10, _time.GetUtcNow()));
        var again = restored.Reclaim("w", requestId: 7, 10, _time.GetUtcNow());

        Assert.Equal(first.Select(t => (t.Id, t.Attempt)), again.Select(t => (t.Id, t.Attempt)));
        _time.Advance(_options.LeaseDuration * 2 / 3);
        Assert.True(restored.Renew("w", again[0].Lease, _time.GetUtcNow()));
    }

    [Fact]
    public void Restore_ReleasesADeadWorkersHeldTasks_AtOnce()
    {
        Submit();
        _partition.Lease("10.0.0.1:11111@1", 0, 1, _time.GetUtcNow());
        var restored = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5, _partition.Head);
        restored.Restore(_partition.TakeDirty().Select(d => d.Segment!), _time.GetUtcNow());

        Assert.Equal(1, restored.ReleaseWorker(w => w == "10.0.0.1:11111@1", _time.GetUtcNow()));
        Assert.Single(restored.Lease("10.0.0.2:11111@1", 1, 1, _time.GetUtcNow()));
    }

    [Fact]
    public void ReleaseWorker_RedeliversOnlyTheDeadWorkersTasks_AtOnce()
    {
        Submit("a");
        Submit("b");
        var onDead = _partition.Lease("10.0.0.1:11111@1", 0, 1, _time.GetUtcNow())[0];
        var onLive = _partition.Lease("10.0.0.2:11111@1", 0, 1, _time.GetUtcNow())[0];

        Assert.Equal(1, _partition.ReleaseWorker(w => w == "10.0.0.1:11111@1", _time.GetUtcNow()));

        var again = Assert.Single(_partition.Lease("10.0.0.2:11111@1", 0, 5, _time.GetUtcNow()));
        Assert.Equal(onDead.Id, again.Id);
        Assert.Equal(TaskState.Running, _partition.GetInfo(onLive.Id.Sequence)!.State);
        // The dead worker's late report is stale now.
        Assert.False(_partition.Complete(new TaskCompletion(onDead.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow()));
    }

    [Fact]
    public void DeadLetters_AreListed_Retried_AndPurged()
    {
        var ids = Enumerable.Range(0, 3).Select(i => Submit(i == 2 ? "other" : "t")).ToList();
        foreach (var task in _partition.Lease("w", 0, 3, _time.GetUtcNow())) Fail(task);

        Assert.Equal(ids, _partition.ListDeadLetters(-1, 10).Select(t => t.Id));
        Assert.Equal([ids[1]], _partition.ListDeadLetters(ids[0].Sequence, 1).Select(t => t.Id));
        Assert.Equal(3, _partition.Stats().DeadLettered);

        Assert.Equal(2, _partition.RetryDeadLetters(null, "t", _time.GetUtcNow()));
        Assert.Equal([ids[2]], _partition.ListDeadLetters(-1, 10).Select(t => t.Id));
        var retried = _partition.Lease("w", 0, 5, _time.GetUtcNow());
        Assert.Equal([ids[0], ids[1]], retried.Select(t => t.Id));
        Assert.All(retried, t => Assert.Equal(2, t.Attempt)); // the fencing token keeps growing
        // A fresh retry budget: with RetryPolicy.None, one more failure dead-letters again.
        Fail(retried[0]);
        Assert.Equal(2, _partition.Stats().DeadLettered);

        Assert.Equal(2, _partition.PurgeDeadLetters(null, null));
        Assert.Empty(_partition.ListDeadLetters(-1, 10));
        Assert.Null(_partition.GetInfo(ids[2].Sequence));
        Assert.Equal(0, _partition.Stats().DeadLettered);
    }

    [Fact]
    public void RetryDeadLetters_ByIds_TouchesOnlyThoseDeadLetters()
    {
        var a = Submit();
        var b = Submit();
        foreach (var task in _partition.Lease("w", 0, 2, _time.GetUtcNow())) Fail(task);

        Assert.Equal(1, _partition.RetryDeadLetters([b.Sequence, 999], null, _time.GetUtcNow()));

        Assert.Equal(TaskState.DeadLettered, _partition.GetInfo(a.Sequence)!.State);
        Assert.Equal(TaskState.Pending, _partition.GetInfo(b.Sequence)!.State);
    }
}

public sealed class WorkerIdTests
{
    [Theory]
    [InlineData("127.0.0.1:11111@154830161", "127.0.0.1:11111@154830161", true)]
    [InlineData("silo-1@127.0.0.1:11111@154830161", "127.0.0.1:11111@154830161", true)]
    [InlineData("127.0.0.1:11111@154830162", "127.0.0.1:11111@154830161", false)]
    [InlineData("27.0.0.1:11111@154830161", "127.0.0.1:11111@154830161", false)]
    [InlineData("x127.0.0.1:11111@154830161", "127.0.0.1:11111@154830161", false)]
    public void IsOnSilo_MatchesTheSilosAddress_WithOrWithoutAName(string workerId, string silo, bool expected) =>
        Assert.Equal(expected, DistributedTaskQueue.Queue.DeadSiloWatcher.IsOnSilo(workerId, silo));
}
