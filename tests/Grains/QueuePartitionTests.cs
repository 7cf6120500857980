using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>The partition's rules, on a fake clock: ordering, leases, fencing, retries, delays, restore, retention.</summary>
public sealed class QueuePartitionTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly RetryPolicy DefaultRetry = new() { MaxRetries = 3, RetryDelay = TimeSpan.FromSeconds(10), Jitter = 0 };
    private readonly PartitionOptions _options = new();
    private double _random = 0.5;

    private QueuePartition NewPartition(PartitionHead? head = null) => new("q", 0, _options, DefaultRetry, () => _random, head);

    private static TaskSubmission Submission(string name = "t", TaskPriority priority = TaskPriority.Normal, RetryPolicy? retry = null, DateTimeOffset? notBefore = null, DateTimeOffset? expiresAt = null) =>
        new() { TaskName = name, Payload = "{}"u8.ToArray(), Priority = priority, Retry = retry, NotBefore = notBefore, ExpiresAt = expiresAt };

    private TaskId SubmitCommitted(QueuePartition partition, TaskSubmission submission)
    {
        var id = partition.Submit(submission, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
        return id;
    }

    [Fact]
    public void Lease_TakesHigherPriorityFirst_AndFifoWithinPriority()
    {
        var partition = NewPartition();
        var order = new[] { ("low1", TaskPriority.Low), ("n1", TaskPriority.Normal), ("c1", TaskPriority.Critical), ("h1", TaskPriority.High), ("n2", TaskPriority.Normal), ("c2", TaskPriority.Critical), ("low2", TaskPriority.Low) };
        foreach (var (name, priority) in order) SubmitCommitted(partition, Submission(name, priority));

        var leased = partition.Lease("w", 0, 100, _time.GetUtcNow()).Select(t => t.TaskName).ToArray();

        Assert.Equal(["c1", "c2", "h1", "n1", "n2", "low1", "low2"], leased);
    }

    [Fact]
    public void Submit_IsNotLeasable_UntilCommitted()
    {
        var partition = NewPartition();
        partition.Submit(Submission(), _time.GetUtcNow());

        Assert.Empty(partition.Lease("w", 0, 10, _time.GetUtcNow()));
        partition.CommitStaged(partition.TakeStaged());
        Assert.Single(partition.Lease("w", 0, 10, _time.GetUtcNow()));
    }

    [Fact]
    public void Complete_Succeeded_RecordsResultAndCounts()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission());
        var task = Assert.Single(partition.Lease("w", 0, 1, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("42"u8.ToArray())), _time.GetUtcNow()));

        var info = partition.GetInfo(id.Sequence)!;
        Assert.Equal(TaskState.Succeeded, info.State);
        Assert.Equal("42", info.ResultJson);
        Assert.Equal(1, info.Attempts);
        Assert.Equal(_time.GetUtcNow(), info.FinishedAt);
        var stats = partition.Stats();
        Assert.Equal(1, stats.Succeeded);
        Assert.Equal(0, stats.Running);
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public void Complete_WithStaleAttempt_IsRejectedAndCounted()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission());
        var first = Assert.Single(partition.Lease("w1", 0, 1, _time.GetUtcNow()));
        _time.Advance(_options.LeaseDuration);
        Assert.Equal(1, partition.ExpireLeases(_time.GetUtcNow()));
        var second = Assert.Single(partition.Lease("w2", 0, 1, _time.GetUtcNow()));
        Assert.Equal(2, second.Attempt);

        var stale = partition.Complete(new TaskCompletion(first.Lease, new TaskOutcome.Succeeded("\"zombie\""u8.ToArray())), _time.GetUtcNow());

        Assert.False(stale);
        Assert.Equal(1, partition.StaleCompletions);
        Assert.Equal(TaskState.Running, partition.GetInfo(id.Sequence)!.State);
        Assert.True(partition.Complete(new TaskCompletion(second.Lease, new TaskOutcome.Succeeded("\"ok\""u8.ToArray())), _time.GetUtcNow()));
        Assert.Equal("\"ok\"", partition.GetInfo(id.Sequence)!.ResultJson);
    }

    [Fact]
    public void Failure_RetriesWithExponentialBackoffCapped_ThenDeadLetters()
    {
        var partition = NewPartition();
        var retry = new RetryPolicy { MaxRetries = 4, RetryDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(30), Jitter = 0 };
        var id = SubmitCommitted(partition, Submission(retry: retry));
        var delays = new List<TimeSpan>();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var task = Assert.Single(partition.Lease("w", 0, 1, _time.GetUtcNow()));
            Assert.Equal(attempt, task.Attempt);
            var error = new TaskError($"boom {attempt}", "X", null, attempt, _time.GetUtcNow());
            Assert.True(partition.Complete(new TaskCompletion(new LeaseToken(id.Sequence, attempt, 0), new TaskOutcome.Failed(error, Retryable: true)), _time.GetUtcNow()));
            var info = partition.GetInfo(id.Sequence)!;
            if (attempt == 5)
            {
                Assert.Equal(TaskState.DeadLettered, info.State);
                break;
            }
            Assert.Equal(TaskState.Retrying, info.State);
            var delay = info.NotBefore!.Value - _time.GetUtcNow();
            delays.Add(delay);
            // Not leasable one tick before the backoff ends, leasable at its end.
            _time.Advance(delay - TimeSpan.FromMilliseconds(1));
            partition.PromoteDue(_time.GetUtcNow());
            Assert.Empty(partition.Lease("w", 0, 1, _time.GetUtcNow()));
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(1, partition.PromoteDue(_time.GetUtcNow()));
        }

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)], delays);
        var final = partition.GetInfo(id.Sequence)!;
        Assert.Equal(5, final.Attempts);
        Assert.Equal("boom 5", final.LastError!.Message);
        Assert.Equal(["boom 5", "boom 4", "boom 3", "boom 2", "boom 1"], final.Errors.Select(e => e.Message));
        var stats = partition.Stats();
        Assert.Equal(5, stats.Failed);
        Assert.Equal(1, stats.DeadLettered);
    }

    [Fact]
    public void NonRetryableFailure_DeadLettersAtOnce()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission());
        var task = Assert.Single(partition.Lease("w", 0, 1, _time.GetUtcNow()));

        partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(new TaskError("bad payload", null, null, 1, _time.GetUtcNow()), Retryable: false)), _time.GetUtcNow());

        Assert.Equal(TaskState.DeadLettered, partition.GetInfo(id.Sequence)!.State);
    }

    [Fact]
    public void DelayedSubmit_StaysScheduled_UntilNotBefore()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission(notBefore: _time.GetUtcNow().AddMinutes(5)));

        Assert.Equal(TaskState.Scheduled, partition.GetInfo(id.Sequence)!.State);
        Assert.Equal(1, partition.Stats().Delayed);
        Assert.Empty(partition.Lease("w", 0, 1, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, partition.PromoteDue(_time.GetUtcNow()));
        Assert.Equal(0, partition.Stats().Delayed);
        Assert.Single(partition.Lease("w", 0, 1, _time.GetUtcNow()));
    }

    [Fact]
    public void NextDue_IsTheEarliestDelayedTime_AndClearsWhenPromoted()
    {
        var partition = NewPartition();
        Assert.Null(partition.NextDue);
        SubmitCommitted(partition, Submission(notBefore: _time.GetUtcNow().AddSeconds(5)));
        SubmitCommitted(partition, Submission(notBefore: _time.GetUtcNow().AddMilliseconds(150)));

        Assert.Equal(_time.GetUtcNow().AddMilliseconds(150), partition.NextDue);
        _time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(1, partition.PromoteDue(_time.GetUtcNow()));
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(4850), partition.NextDue);
    }

    [Fact]
    public void ExpiredTask_IsDeadLettered_NotStarted()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission(expiresAt: _time.GetUtcNow().AddSeconds(1)));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(partition.Lease("w", 0, 1, _time.GetUtcNow()));
        var info = partition.GetInfo(id.Sequence)!;
        Assert.Equal(TaskState.DeadLettered, info.State);
        Assert.Equal(0, info.Attempts);
    }

    [Fact]
    public void Paused_LeasesNothing_UntilResumed()
    {
        var partition = NewPartition();
        SubmitCommitted(partition, Submission());
        partition.SetPaused(true);

        Assert.Empty(partition.Lease("w", 0, 1, _time.GetUtcNow()));
        Assert.True(partition.Stats().Paused);
        partition.SetPaused(false);
        Assert.Single(partition.Lease("w", 0, 1, _time.GetUtcNow()));
    }

    [Fact]
    public void Stats_CountPendingByPriority_Delayed_AndRunning()
    {
        var partition = NewPartition();
        SubmitCommitted(partition, Submission(priority: TaskPriority.Low));
        SubmitCommitted(partition, Submission(priority: TaskPriority.High));
        SubmitCommitted(partition, Submission(priority: TaskPriority.High));
        SubmitCommitted(partition, Submission(priority: TaskPriority.Critical));
        SubmitCommitted(partition, Submission(notBefore: _time.GetUtcNow().AddHours(1)));
        partition.Lease("w", 0, 1, _time.GetUtcNow());

        var stats = partition.Stats();

        Assert.Equal([1, 0, 2, 0], stats.PendingByPriority);
        Assert.Equal(1, stats.Delayed);
        Assert.Equal(1, stats.Running);
    }

    [Fact]
    public void Restore_RebuildsOrder_AndHoldsRunningTasksBackForOneLeasePeriod()
    {
        var first = NewPartition();
        var a = SubmitCommitted(first, Submission("a"));
        var b = SubmitCommitted(first, Submission("b", TaskPriority.High));
        var c = SubmitCommitted(first, Submission("c"));
        first.Lease("w", 0, 1, _time.GetUtcNow()); // b is running when the owner goes away
        var segments = first.TakeDirty().Select(d => d.Segment!).ToList();

        var restored = NewPartition(first.Head);
        restored.Restore(segments, _time.GetUtcNow());

        // b is not redelivered while its worker may still be running it...
        Assert.Equal(TaskState.Running, restored.GetInfo(b.Sequence)!.State);
        var others = restored.Lease("w2", 0, 10, _time.GetUtcNow());
        Assert.Equal(["a", "c"], others.Select(t => t.TaskName));
        foreach (var other in others)
            restored.Complete(new TaskCompletion(other.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow());
        // ...and goes back in line when the hold ends unclaimed.
        _time.Advance(_options.LeaseDuration);
        Assert.Equal(1, restored.ExpireLeases(_time.GetUtcNow()));
        var again = Assert.Single(restored.Lease("w2", 0, 10, _time.GetUtcNow()));
        Assert.Equal("b", again.TaskName);
        Assert.Equal(2, again.Attempt);
        Assert.Equal(c.Sequence + 1, restored.Submit(Submission(), _time.GetUtcNow()).Sequence);
        Assert.Equal(0, a.Sequence);
    }

    [Fact]
    public void Restore_LetsTheLiveWorkerReclaimItsTask_ByRenewing_ThenComplete()
    {
        var first = NewPartition();
        var id = SubmitCommitted(first, Submission());
        var task = first.Lease("w", 0, 1, _time.GetUtcNow())[0];
        var restored = NewPartition(first.Head);
        restored.Restore(first.TakeDirty().Select(d => d.Segment!), _time.GetUtcNow());

        _time.Advance(_options.LeaseDuration / 2);
        Assert.True(restored.Renew("w", task.Lease, _time.GetUtcNow()));
        _time.Advance(_options.LeaseDuration * 3 / 4);
        Assert.Equal(0, restored.ExpireLeases(_time.GetUtcNow()));
        Assert.False(restored.Renew("someone-else", task.Lease, _time.GetUtcNow()));
        Assert.True(restored.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow()));
        Assert.Equal(TaskState.Succeeded, restored.GetInfo(id.Sequence)!.State);
        Assert.Equal(1, restored.GetInfo(id.Sequence)!.Attempts);
    }

    [Fact]
    public void Restore_NeverReusesSequences_WhenTheHeadIsBehindItsSegments()
    {
        var first = NewPartition();
        for (var i = 0; i < 3; i++) SubmitCommitted(first, Submission());
        var segments = first.TakeDirty().Select(d => d.Segment!).ToList();

        var restored = NewPartition(new PartitionHead { NextSequence = 1 });
        restored.Restore(segments, _time.GetUtcNow());

        Assert.Equal(3, restored.Submit(Submission(), _time.GetUtcNow()).Sequence);
    }

    [Fact]
    public void TakeDirty_WritesOnlyTouchedSegments_OfBoundedSize()
    {
        var partition = NewPartition();
        for (var i = 0; i < TaskSegment.Capacity * 3; i++) SubmitCommitted(partition, Submission());
        Assert.Equal(3, partition.TakeDirty().Count);

        var task = partition.Lease("w", 0, 1, _time.GetUtcNow())[0];
        partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow());

        var dirty = Assert.Single(partition.TakeDirty());
        Assert.Equal(0, dirty.Number);
        Assert.Equal(TaskSegment.Capacity, dirty.Segment!.Records.Length);
    }

    [Fact]
    public void RemoveExpired_DropsEveryFinishedSegmentPastRetention_TheTailToo_AndNeverReusesItsNumbers()
    {
        var partition = NewPartition();
        var count = TaskSegment.Capacity + 1;
        for (var i = 0; i < count; i++) SubmitCommitted(partition, Submission());
        foreach (var task in partition.Lease("w", 0, count, _time.GetUtcNow()))
            partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("1"u8.ToArray())), _time.GetUtcNow());
        partition.TakeDirty();

        _time.Advance(_options.ResultTtl - TimeSpan.FromSeconds(1));
        Assert.Equal(0, partition.RemoveExpired(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, partition.RemoveExpired(_time.GetUtcNow()));

        Assert.Null(partition.GetInfo(0));
        Assert.Null(partition.GetInfo(TaskSegment.Capacity));
        Assert.Equal([(0L, (TaskSegment?)null), (1L, null)], partition.TakeDirty().OrderBy(d => d.Number));
        Assert.Equal(2, partition.Head.FirstSegment);
        // The rest of the deleted tail's numbers are skipped: a deleted segment is never written again.
        Assert.Equal(2 * TaskSegment.Capacity, SubmitCommitted(partition, Submission()).Sequence);
    }

    [Fact]
    public void Retry_UsesJitterBand()
    {
        var partition = NewPartition();
        var retry = new RetryPolicy { MaxRetries = 1, RetryDelay = TimeSpan.FromSeconds(10), Jitter = 0.2 };
        var id = SubmitCommitted(partition, Submission(retry: retry));
        var task = partition.Lease("w", 0, 1, _time.GetUtcNow())[0];
        _random = 0.0; // the low edge of the band

        partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(new TaskError("x", null, null, 1, _time.GetUtcNow()), true)), _time.GetUtcNow());

        Assert.Equal(TimeSpan.FromSeconds(8), partition.GetInfo(id.Sequence)!.NotBefore - _time.GetUtcNow());
    }

    [Fact]
    public void Renew_KeepsALongTaskLeased_PastTheLeaseDuration()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission());
        var task = partition.Lease("w", 0, 1, _time.GetUtcNow())[0];

        for (var i = 0; i < 10; i++)
        {
            _time.Advance(_options.LeaseDuration / 2);
            Assert.True(partition.Renew("w", task.Lease, _time.GetUtcNow()));
            Assert.Equal(0, partition.ExpireLeases(_time.GetUtcNow()));
        }

        Assert.Equal(TaskState.Running, partition.GetInfo(id.Sequence)!.State);
        _time.Advance(_options.LeaseDuration);
        Assert.Equal(1, partition.ExpireLeases(_time.GetUtcNow()));
        Assert.Equal(TaskState.Pending, partition.GetInfo(id.Sequence)!.State);
    }

    [Fact]
    public void Renew_FailsForAnotherWorker_AStaleAttempt_OrAFinishedTask()
    {
        var partition = NewPartition();
        var id = SubmitCommitted(partition, Submission());
        var task = partition.Lease("w", 0, 1, _time.GetUtcNow())[0];

        Assert.False(partition.Renew("other", task.Lease, _time.GetUtcNow()));
        Assert.False(partition.Renew("w", new LeaseToken(id.Sequence, task.Attempt + 1, 0), _time.GetUtcNow()));
        partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow());
        Assert.False(partition.Renew("w", task.Lease, _time.GetUtcNow()));
    }

    [Fact]
    public void AnAttemptNumberHandedOutButNeverWritten_CannotMatchOneHandedOutAfterARestore()
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var id = SubmitCommitted(first, Submission());
        var written = first.TakeDirty().Select(d => Clone(d.Segment!)).ToList(); // stored while Pending
        var lost = first.Lease("w1", 0, 1, _time.GetUtcNow())[0];          // granted, never written: the owner crashes

        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 1 });
        restored.Restore(written, _time.GetUtcNow());
        var again = restored.Lease("w2", 0, 1, _time.GetUtcNow())[0];

        Assert.Equal(lost.Attempt, again.Attempt); // the same attempt number...
        Assert.NotEqual(lost.Lease.Epoch, again.Lease.Epoch);  // ...under another epoch, so the lost one is fenced off
        Assert.False(restored.Renew("w1", lost.Lease, _time.GetUtcNow()));
        Assert.False(restored.Complete(new TaskCompletion(lost.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow()));
        Assert.True(restored.Complete(new TaskCompletion(again.Lease, new TaskOutcome.Succeeded("null"u8.ToArray())), _time.GetUtcNow()));
    }

    [Fact]
    public void ALeaseHandedOutButNeverWritten_IsAdoptedWhenItsWorkerRenews_AndNeverLeasedToAnother()
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var id = SubmitCommitted(first, Submission());
        var written = first.TakeDirty().Select(d => Clone(d.Segment!)).ToList(); // stored while Pending
        var unwritten = first.Lease("w1", 0, 1, _time.GetUtcNow())[0];         // handed out; the host dies before writing it

        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 1 });
        restored.Restore(written, _time.GetUtcNow());
        restored.HoldDispatch(_time.GetUtcNow().AddSeconds(3));
        Assert.Empty(restored.Lease("w2", 0, 10, _time.GetUtcNow())); // held: the live worker may still announce it

        Assert.True(restored.Renew("w1", unwritten.Lease, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(restored.Lease("w2", 1, 10, _time.GetUtcNow())); // adopted: nobody else gets it
        Assert.True(restored.Complete(new TaskCompletion(unwritten.Lease, new TaskOutcome.Succeeded("1"u8.ToArray())), _time.GetUtcNow(), "w1"));
        var info = restored.GetInfo(id.Sequence)!;
        Assert.Equal(TaskState.Succeeded, info.State);
        Assert.Equal(1, info.Attempts);
        Assert.Equal(1, restored.AdoptedLeases);
    }

    [Fact]
    public void SubmitTokens_AreForgottenByTheTick_WhenNoSubmitFollowsABurst()
    {
        var partition = NewPartition();
        for (var i = 0; i < 5_000; i++) partition.Submit(Submission() with { Token = new SubmitToken(Guid.NewGuid(), i) }, _time.GetUtcNow());
        Assert.Equal(5_000, partition.RememberedSubmits);

        partition.ForgetOldSubmits(_time.GetUtcNow() + _options.SubmitDedupeWindow - TimeSpan.FromSeconds(1));
        Assert.Equal(5_000, partition.RememberedSubmits);
        partition.ForgetOldSubmits(_time.GetUtcNow() + _options.SubmitDedupeWindow + TimeSpan.FromSeconds(1));
        Assert.Equal(0, partition.RememberedSubmits);
    }

    [Fact]
    public void ARepeatedSubmitToken_ReturnsTheFirstTask_EvenAfterAFailover_ButNotPastTheWindow()
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var token = new SubmitToken(Guid.NewGuid(), 0);
        var id = SubmitCommitted(first, Submission() with { Token = token });

        Assert.Equal(id, first.Submit(Submission() with { Token = token }, _time.GetUtcNow()));
        Assert.NotEqual(id, first.Submit(Submission() with { Token = token with { Index = 1 } }, _time.GetUtcNow()));

        // The retry reaches a new activation (the first one's host died after writing the task).
        var written = first.TakeDirty().Select(d => Clone(d.Segment!)).ToList();
        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 2 });
        restored.Restore(written, _time.GetUtcNow());
        Assert.Equal(id, restored.Submit(Submission() with { Token = token }, _time.GetUtcNow()));
        Assert.Equal(2, restored.Stats().Pending);

        _time.Advance(_options.SubmitDedupeWindow + TimeSpan.FromSeconds(1));
        Assert.NotEqual(id, restored.Submit(Submission() with { Token = token }, _time.GetUtcNow()));
    }

    [Fact]
    public void DuringTheFailoverHold_ADeadSilosTask_WaitsForTheHoldLikeEveryOther()
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var onDeadSilo = SubmitCommitted(first, Submission(priority: TaskPriority.Critical));
        var pendingAtLoad = SubmitCommitted(first, Submission(priority: TaskPriority.Low));
        Assert.Equal(onDeadSilo.Sequence, first.Lease("dead@silo", 0, 1, _time.GetUtcNow())[0].Id.Sequence);
        var written = first.TakeDirty().Select(d => Clone(d.Segment!)).ToList(); // its lease is written

        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 2 });
        restored.Restore(written, _time.GetUtcNow());
        restored.HoldDispatch(_time.GetUtcNow().AddSeconds(3));
        Assert.Equal(1, restored.ReleaseWorker(w => w == "dead@silo", _time.GetUtcNow()));

        // The previous host may have released that task too and leased it again, unwritten, to a live worker: the
        // stored lease to the dead silo does not prove otherwise, so nothing is leased until the hold ends.
        Assert.Empty(restored.Lease("w2", 1, 10, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(4));
        var leased = restored.Lease("w2", 2, 10, _time.GetUtcNow());
        Assert.Equal([onDeadSilo.Sequence, pendingAtLoad.Sequence], leased.Select(t => t.Id.Sequence));
        Assert.Equal(2, leased[0].Attempt);
        Assert.Empty(restored.Lease("w2", 3, 10, _time.GetUtcNow()));
    }

    [Fact]
    public void ACompletionOfALeaseNeverWritten_IsAccepted_WhenNobodyElseHoldsTheTask()
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var id = SubmitCommitted(first, Submission());
        var written = first.TakeDirty().Select(d => Clone(d.Segment!)).ToList();
        var unwritten = first.Lease("w1", 0, 1, _time.GetUtcNow())[0];
        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 1 });
        restored.Restore(written, _time.GetUtcNow());

        // Sent while the partition was moving: its work is kept, not thrown away and run again.
        Assert.True(restored.Complete(new TaskCompletion(unwritten.Lease, new TaskOutcome.Succeeded("2"u8.ToArray())), _time.GetUtcNow(), "w1"));

        Assert.Equal("2", restored.GetInfo(id.Sequence)!.ResultJson);
        Assert.Empty(restored.Lease("w2", 0, 10, _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(2, 1)] // an attempt the record never reached the one before of
    [InlineData(1, 2)] // an epoch no older than this activation's
    [InlineData(1, 0)] // an epoch older than the record's last written lease
    public void OnlyTheNextAttemptOfAnOlderEpoch_IsAdopted(int attemptsAhead, int epoch)
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var id = SubmitCommitted(first, Submission());
        var segment = Clone(first.TakeDirty().Single().Segment!);
        segment[id.Sequence]!.LeaseEpoch = 1;
        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 1 });
        restored.Restore([segment], _time.GetUtcNow());

        Assert.False(restored.Renew("w1", new LeaseToken(id.Sequence, attemptsAhead, epoch), _time.GetUtcNow()));
        Assert.Equal(TaskState.Pending, restored.GetInfo(id.Sequence)!.State);
    }

    [Fact]
    public void AForgedTokenOfEpochZero_IsNeverAdopted_EvenForATaskNeverLeased()
    {
        // No activation grants epoch 0 (the first takes 1), so such a token can only be forged by a caller.
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var id = SubmitCommitted(first, Submission());
        var segment = Clone(first.TakeDirty().Single().Segment!);
        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 1 });
        restored.Restore([segment], _time.GetUtcNow());

        Assert.False(restored.Renew("w1", new LeaseToken(id.Sequence, 1, 0), _time.GetUtcNow()));
        Assert.False(restored.Complete(new TaskCompletion(new LeaseToken(id.Sequence, 1, 0), new TaskOutcome.Succeeded("1"u8.ToArray())), _time.GetUtcNow(), "w1"));
        Assert.Equal(TaskState.Pending, restored.GetInfo(id.Sequence)!.State);
    }

    /// <summary>What storage would give back: the segment as it was written, not the live object.</summary>
    private static TaskSegment Clone(TaskSegment segment) => new()
    {
        Number = segment.Number,
        Records = segment.Records.Select(r => r is null ? null : new TaskRecord
        {
            Sequence = r.Sequence, TaskName = r.TaskName, Payload = r.Payload, Priority = r.Priority, State = r.State,
            Attempts = r.Attempts, EnqueuedAt = r.EnqueuedAt, StartedAt = r.StartedAt, LeasedTo = r.LeasedTo, LeaseRequest = r.LeaseRequest,
            LeaseEpoch = r.LeaseEpoch, Token = r.Token, TraceParent = r.TraceParent,
        }).ToArray(),
    };
}
