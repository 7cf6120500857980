using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// What the partition does with data and calls no rule foresaw: records it cannot index, retried lease calls,
/// reads of what is not yet written, waiters of tasks that end without a completion, segments Redis lost.
/// </summary>
public sealed class QueuePartitionHardeningTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly PartitionOptions _options = new() { MaxResultBytes = 100 };
    private readonly QueuePartition _partition;

    public QueuePartitionHardeningTests() => _partition = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5);

    private TaskId Submit(TaskPriority priority = TaskPriority.Normal, DateTimeOffset? expiresAt = null)
    {
        var id = _partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray(), Priority = priority, ExpiresAt = expiresAt }, _time.GetUtcNow());
        _partition.CommitStaged(_partition.TakeStaged());
        return id;
    }

    private void Write()
    {
        _partition.TakeDirty();
        _partition.Settle();
    }

    private QueuePartition Reload(IEnumerable<TaskSegment> stored)
    {
        var restored = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5, _partition.Head);
        restored.Restore(stored, _time.GetUtcNow());
        return restored;
    }

    [Fact]
    public void Restore_QuarantinesARecordWithAPriorityOutOfRange_AndLoadsTheRest()
    {
        var bad = Submit();
        var good = Submit(TaskPriority.High);
        var segment = _partition.TakeDirty().Single().Segment!;
        segment[bad.Sequence]!.Priority = (TaskPriority)7; // as a bug or a future version might have written it

        var restored = Reload([segment]);

        var quarantined = restored.GetInfo(bad.Sequence)!;
        Assert.Equal(TaskState.DeadLettered, quarantined.State);
        Assert.Equal("Quarantined", quarantined.LastError!.Type);
        Assert.Contains("priority 7", quarantined.LastError.Message);
        Assert.Equal(1, restored.QuarantinedRecords);
        Assert.True(restored.HasUnwrittenChanges); // the quarantine is written, so the next load sees a dead letter
        Assert.Equal(good.Sequence, Assert.Single(restored.Lease("w", 0, 10, _time.GetUtcNow())).Id.Sequence);
        var stats = restored.Stats();
        Assert.Equal(1, stats.DeadLettered);
        // The operator can retry it: it runs at a valid priority.
        Assert.Equal(1, restored.RetryDeadLetters([bad.Sequence], null, _time.GetUtcNow()));
        Assert.Equal(bad.Sequence, Assert.Single(restored.Lease("w", 1, 10, _time.GetUtcNow())).Id.Sequence);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("name")]
    [InlineData("payload")]
    [InlineData("retry")]
    [InlineData("ttl")]
    [InlineData("sequence")]
    public void Restore_QuarantinesEveryKindOfUnindexableRecord(string damage)
    {
        var bad = Submit();
        var segment = _partition.TakeDirty().Single().Segment!;
        var record = segment[bad.Sequence]!;
        switch (damage)
        {
            case "state": record.State = (TaskState)42; break;
            case "name": record.TaskName = null!; break;
            case "payload": record.Payload = null!; break;
            case "retry": record.Retry = new RetryPolicy { MaxDelay = TimeSpan.MaxValue }; break;
            case "ttl": record.ResultTtl = TimeSpan.MaxValue; break;
            case "sequence": record.Sequence = 999_999; break;
        }

        var restored = Reload([segment]);

        Assert.Equal(TaskState.DeadLettered, restored.GetInfo(bad.Sequence)!.State);
        Assert.Equal(1, restored.Stats().DeadLettered);
        // Retention can still reckon with it (no overflow from its fields).
        _time.Advance(_options.FailedTtl);
        Assert.Equal(1, restored.RemoveExpired(_time.GetUtcNow()));
    }

    [Fact]
    public void Reclaim_NeverHandsOutMoreThanTheFreeSlots_AndPutsTheRestBackInLine()
    {
        for (var i = 0; i < 5; i++) Submit();
        var first = _partition.Lease("w", requestId: 3, 5, _time.GetUtcNow());
        Assert.Equal(5, first.Count);

        var again = _partition.Reclaim("w", requestId: 3, max: 2, _time.GetUtcNow());

        Assert.Equal(2, again.Count);
        Assert.Equal(first.Take(2).Select(t => t.Id), again.Select(t => t.Id));
        var stats = _partition.Stats();
        Assert.Equal(2, stats.Running);
        Assert.Equal(3, stats.Pending);
        Assert.Equal(3, _partition.Lease("w2", 0, 10, _time.GetUtcNow()).Count);
    }

    [Fact]
    public void IsDurable_IsFalseFromAChangeUntilTheWriteThatCarriesItSettles()
    {
        var id = Submit();
        Write();
        Assert.True(_partition.IsDurable(id.Sequence));
        var task = Assert.Single(_partition.Lease("w", 0, 1, _time.GetUtcNow()));
        _partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Succeeded("1"u8.ToArray())), _time.GetUtcNow());

        Assert.False(_partition.IsDurable(id.Sequence));
        _partition.TakeDirty(); // the write starts
        Assert.False(_partition.IsDurable(id.Sequence));
        _partition.Settle(); // and is durable
        Assert.True(_partition.IsDurable(id.Sequence));
    }

    [Fact]
    public void TakeFinished_NamesTasksThatEndWithoutACompletion_ExpiryAndCancelAtLeaseExpiry()
    {
        var expiring = Submit(expiresAt: _time.GetUtcNow().AddSeconds(1));
        _partition.TakeFinished();
        var lease = Assert.Single(_partition.Lease("w", 0, 1, _time.GetUtcNow()));
        Assert.Equal(expiring.Sequence, lease.Id.Sequence);
        var cancelled = _partition.Cancel(expiring.Sequence, _time.GetUtcNow(), out _, out _);
        Assert.Equal(QueuePartition.CancelResult.Requested, cancelled);

        _time.Advance(TimeSpan.FromSeconds(2));
        _partition.ExpireLeases(_time.GetUtcNow().Add(_options.LeaseDuration)); // the cancelled attempt's worker never reports
        Assert.Equal([expiring.Sequence], _partition.TakeFinished());
        Assert.Equal(TaskState.Cancelled, _partition.GetInfo(expiring.Sequence)!.State);

        var expired = Submit(expiresAt: _time.GetUtcNow().AddSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(2));
        _partition.Lease("w", 1, 10, _time.GetUtcNow());
        Assert.Contains(expired.Sequence, _partition.TakeFinished());
        Assert.Equal(TaskState.DeadLettered, _partition.GetInfo(expired.Sequence)!.State);
    }

    [Fact]
    public void Complete_WithAResultOverTheLimit_DeadLettersTheTask_AndCutsHugeErrors()
    {
        var big = Submit();
        var failing = Submit();
        var leased = _partition.Lease("w", 0, 2, _time.GetUtcNow());

        _partition.Complete(new TaskCompletion(leased[0].Lease, new TaskOutcome.Succeeded(new byte[101])), _time.GetUtcNow());
        var huge = new TaskError(new string('m', 1_000_000), "X", new string('s', 1_000_000), 1, _time.GetUtcNow());
        _partition.Complete(new TaskCompletion(leased[1].Lease, new TaskOutcome.Failed(huge, true)), _time.GetUtcNow());

        var info = _partition.GetInfo(big.Sequence)!;
        Assert.Equal(TaskState.DeadLettered, info.State);
        Assert.Equal("ResultTooLarge", info.LastError!.Type);
        Assert.Null(info.ResultJson);
        var cut = _partition.GetInfo(failing.Sequence)!.LastError!;
        Assert.Equal(TaskRules.MaxErrorMessageLength, cut.Message.Length);
        Assert.Equal(TaskRules.MaxStackTraceLength, cut.StackTrace!.Length);
    }

    [Fact]
    public void Complete_WithAnUnknownOutcome_ChangesNothing()
    {
        var id = Submit();
        var task = Assert.Single(_partition.Lease("w", 0, 1, _time.GetUtcNow()));

        Assert.Throws<ArgumentException>(() => _partition.Complete(new TaskCompletion(task.Lease, null!), _time.GetUtcNow()));

        Assert.Equal(TaskState.Running, _partition.GetInfo(id.Sequence)!.State);
    }

    [Fact]
    public void DeadLetterCalls_WithRepeatedOrExtremeSequences_ChangeEachDeadLetterOnce()
    {
        var id = Submit();
        var task = Assert.Single(_partition.Lease("w", 0, 1, _time.GetUtcNow()));
        _partition.Complete(new TaskCompletion(task.Lease, new TaskOutcome.Failed(new TaskError("x", null, null, 1, _time.GetUtcNow()), false)), _time.GetUtcNow());

        Assert.Empty(_partition.DeadLetterPage(long.MaxValue, 10));
        Assert.Equal([id.Sequence], _partition.DeadLetterPage(long.MinValue, 10));
        // A sequence named twice would otherwise move the same record twice (an illegal transition that breaks the partition).
        Assert.Equal(1, _partition.RetryDeadLetters([id.Sequence, id.Sequence, -5, long.MaxValue], null, _time.GetUtcNow()));
        Assert.Equal(1, _partition.Stats().Pending);
    }

    [Fact]
    public void ForgetColdSegment_DropsTheLostTasks_SoLeasingGoesOnPastThem()
    {
        const int segment = TaskSegment.Capacity;
        var options = new PartitionOptions { MaxResidentTasks = 256 };
        var partition = new QueuePartition("q", 0, options, RetryPolicy.Default, () => 0.5);
        for (var i = 0; i < (QueuePartition.PrefetchSegments + 8) * segment; i++)
            partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
        partition.TakeDirty();
        partition.Settle();
        Assert.True(partition.Evict(256) > 0);
        var cold = Enumerable.Range(0, QueuePartition.PrefetchSegments + 8).Select(n => (long)n).Where(n => partition.IsCold(n * segment)).ToList();
        Assert.NotEmpty(cold);
        var pendingBefore = partition.Stats().Pending;

        var lost = partition.ForgetColdSegment(cold[0]);

        Assert.Equal(segment, lost);
        Assert.Equal(pendingBefore - segment, partition.Stats().Pending);
        Assert.Contains(cold[0] * segment, partition.TakeFinished());
        Assert.False(partition.IsCold(cold[0] * segment));
        Assert.Null(partition.GetInfo(cold[0] * segment));
        Assert.Equal(0, partition.ForgetColdSegment(cold[0]));
    }
}
