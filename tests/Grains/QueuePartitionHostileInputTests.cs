using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// Adversarial review of the partition model: odd values through the operator entry points, and stored records
/// that pass quarantine yet cannot be indexed, run or expired. Each test names the rule it shows broken.
/// </summary>
public sealed class QueuePartitionHostileInputTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly PartitionOptions _options = new();
    private readonly QueuePartition _partition;

    public QueuePartitionHostileInputTests() => _partition = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5);

    private TaskId Submit(RetryPolicy? retry = null)
    {
        var id = _partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray(), Retry = retry }, _time.GetUtcNow());
        _partition.CommitStaged(_partition.TakeStaged());
        return id;
    }

    private void Write()
    {
        _partition.TakeDirty();
        _partition.Settle();
    }

    private TaskId DeadLetter()
    {
        var id = Submit();
        var leased = _partition.Lease("w", 0, 1, _time.GetUtcNow()).Single();
        _partition.Complete(new TaskCompletion(leased.Lease, new TaskOutcome.Failed(new TaskError("boom", null, null, 1, _time.GetUtcNow()), false)), _time.GetUtcNow());
        Write();
        return id;
    }

    private QueuePartition Reload(params TaskSegment[] stored)
    {
        var restored = new QueuePartition("q", 0, _options, RetryPolicy.None, () => 0.5, new PartitionHead { NextSequence = _partition.Head.NextSequence, Epoch = 2 });
        restored.Restore(stored, _time.GetUtcNow());
        return restored;
    }

    private static TaskRecord NewRecord(long sequence, TaskState state) => new()
    {
        Sequence = sequence,
        TaskName = "t",
        Payload = "{}"u8.ToArray(),
        State = state,
        EnqueuedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    // ---- odd values through operator entry points (the grain passes them straight to the model) ----

    [Fact]
    public void Cancel_OfANegativeSequence_IsUnknown_NotAnIndexError()
    {
        Submit(); // segment 0 is resident: sequences -1..-63 map to it (integer division truncates toward zero)
        Write();

        // The grain runs Cancel inside Change(): an exception there breaks the commit and reloads the partition,
        // failing every caller in flight. One hostile CancelAsync(-1) must be a plain "unknown".
        var result = _partition.Cancel(-1, _time.GetUtcNow(), out _, out _);

        Assert.Equal(QueuePartition.CancelResult.Unknown, result);
    }

    [Fact]
    public void GetInfo_AndIsFinishedOrUnknown_OfANegativeSequence_AnswerUnknown()
    {
        Submit();
        Write();

        Assert.Null(_partition.GetInfo(-5));
        Assert.True(_partition.IsFinishedOrUnknown(-5));
    }

    [Fact]
    public void RetryDeadLetters_WithADuplicatedSequence_RetriesItOnce_WithoutThrowing()
    {
        var dead = DeadLetter();

        // Today the second copy moves Pending -> Pending: an illegal transition thrown inside Change(), so the
        // partition breaks and reloads, failing every caller in flight.
        var count = _partition.RetryDeadLetters([dead.Sequence, dead.Sequence], null, _time.GetUtcNow());

        Assert.Equal(1, count);
        Assert.Single(_partition.Lease("w", 1, 10, _time.GetUtcNow()));
    }

    [Fact]
    public void PurgeDeadLetters_WithADuplicatedSequence_CountsItOnce()
    {
        var dead = DeadLetter();

        Assert.Equal(1, _partition.PurgeDeadLetters([dead.Sequence, dead.Sequence], null));
    }

    [Fact]
    public void DeadLetterPage_AfterTheLargestSequence_IsEmpty_NotTheFirstPageAgain()
    {
        DeadLetter();

        // after + 1 overflows to long.MinValue: a pager that passes the last sequence it saw starts over.
        Assert.Empty(_partition.DeadLetterPage(long.MaxValue, 10));
    }

    [Fact]
    public void Complete_AFailureWithNoError_IsRefusedBeforeAnythingChanges()
    {
        var id = Submit();
        var leased = _partition.Lease("w", 0, 1, _time.GetUtcNow()).Single();
        var stats = _partition.Stats();

        // A worker with a bug (or any caller that leased a task) sends Failed(null): the model changes the counters,
        // the failure count and removes the lease, then throws; the grain turns that into a partition reload.
        try
        {
            _partition.Complete(new TaskCompletion(leased.Lease, new TaskOutcome.Failed(null!, true)), _time.GetUtcNow());
        }
        catch (ArgumentException)
        {
            // a clean refusal is fine, as long as nothing changed
        }

        Assert.Equal(stats.Failed, _partition.Stats().Failed);
        Assert.Equal(1, _partition.Stats().Running);
        Assert.Equal(TaskState.Running, _partition.GetInfo(id.Sequence)!.State);
    }

    [Fact]
    public void Complete_ASuccessWhoseResultIsNotJson_IsNotStoredAsAResult()
    {
        var id = Submit();
        var leased = _partition.Lease("w", 0, 1, _time.GetUtcNow()).Single();

        // Payloads must be one well-formed JSON value (TaskRules.ValidatePayload); results are only size-checked, so a
        // caller that completes straight on the grain stores bytes every client then fails to deserialize.
        _partition.Complete(new TaskCompletion(leased.Lease, new TaskOutcome.Succeeded("not json {"u8.ToArray())), _time.GetUtcNow());

        var info = _partition.GetInfo(id.Sequence)!;
        Assert.True(info.Result is null || TaskRules.IsJson(info.Result.Value.Span), $"stored result: {info.ResultJson}");
    }

    [Fact]
    public void ARetriedDeadLetter_DoesNotCarryAnOldCancelRequest_IntoItsNewAttempts()
    {
        var options = new PartitionOptions { MaxResultBytes = 10 };
        var partition = new QueuePartition("q", 0, options, new RetryPolicy { MaxRetries = 3, RetryDelay = TimeSpan.FromSeconds(1) }, () => 0.5);
        var id = partition.Submit(new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }, _time.GetUtcNow());
        partition.CommitStaged(partition.TakeStaged());
        var first = partition.Lease("w", 0, 1, _time.GetUtcNow()).Single();
        // A cancel arrives while it runs, and the attempt then returns a result over the limit: dead-lettered
        // (ResultTooLarge), with CancelRequested still set on the record.
        partition.Cancel(id.Sequence, _time.GetUtcNow(), out _, out _);
        partition.Complete(new TaskCompletion(first.Lease, new TaskOutcome.Succeeded(new byte[100])), _time.GetUtcNow());
        Assert.Equal(TaskState.DeadLettered, partition.GetInfo(id.Sequence)!.State);

        // The operator retries it with a fresh budget; its next attempt fails retryably.
        Assert.Equal(1, partition.RetryDeadLetters([id.Sequence], null, _time.GetUtcNow()));
        var second = partition.Lease("w", 1, 1, _time.GetUtcNow()).Single();
        partition.Complete(new TaskCompletion(second.Lease, new TaskOutcome.Failed(new TaskError("flaky", null, null, 2, _time.GetUtcNow()), true)), _time.GetUtcNow());

        // Today: "Failed when CancelRequested" ends it Cancelled; nobody cancelled this attempt.
        Assert.Equal(TaskState.Retrying, partition.GetInfo(id.Sequence)!.State);
    }

    // ---- stored records that pass RecordQuarantine.Problem but cannot be indexed, run or expired ----

    [Fact]
    public void Restore_ARecordWhoseSequenceNamesAnotherSlotOfItsSegment_IsQuarantinedOrRuns()
    {
        // Slot 3 holds a record that says it is sequence 5 (same segment, so the segment check passes).
        var segment = new TaskSegment { Number = 0 };
        segment[3] = NewRecord(5, TaskState.Pending);
        _partition.Head.NextSequence = 4;

        var restored = Reload(segment);
        var leased = restored.Lease("w", 0, 10, _time.GetUtcNow());
        var stats = restored.Stats();

        // Today: indexed under sequence 5, where no record lives, so it is skipped for ever while Pending counts 1.
        Assert.True(leased.Count == 1 || stats.DeadLettered == 1, $"leased {leased.Count}, dead-lettered {stats.DeadLettered}, pending {stats.Pending}");
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public void Restore_ARetryingRecordWithNoNotBefore_IsPromotedOrQuarantined()
    {
        var segment = new TaskSegment { Number = 0 };
        segment[0] = NewRecord(0, TaskState.Retrying); // NotBefore missing: a bug or a future version wrote it
        _partition.Head.NextSequence = 1;

        var restored = Reload(segment);
        var promoted = restored.PromoteDue(_time.GetUtcNow().AddDays(1));
        var stats = restored.Stats();

        // Today: indexed at DateTimeOffset.MinValue, but PromoteDue skips it because NotBefore (null) != due: it is
        // Delayed for ever and never runs, never dead-letters.
        Assert.True(promoted == 1 || stats.DeadLettered == 1, $"promoted {promoted}, dead-lettered {stats.DeadLettered}, delayed {stats.Delayed}");
    }

    [Fact]
    public void Restore_ARecordFinishedNearTheEndOfTime_DoesNotStopRetentionOrEviction()
    {
        // A finished record whose FinishedAt plus its retention overflows a DateTimeOffset.
        var finished = new TaskSegment { Number = 0 };
        for (var slot = 0; slot < TaskSegment.Capacity; slot++)
        {
            var record = NewRecord(slot, TaskState.Succeeded);
            record.Result = "1"u8.ToArray();
            record.FinishedAt = slot == 0 ? DateTimeOffset.MaxValue.AddMinutes(-1) : _time.GetUtcNow();
            finished[slot] = record;
        }
        var waiting = new TaskSegment { Number = 1 };
        waiting[64] = NewRecord(64, TaskState.Pending);
        _partition.Head.NextSequence = 65;

        var restored = Reload(finished, waiting);

        // RestoreAsync calls Evict after each chunk (outside Change): a throw there fails the activation, every time.
        var evict = Record.Exception(() => restored.Evict(64));
        // The hourly retention pass runs inside Change: a throw there reloads the partition every CleanupInterval.
        var retention = Record.Exception(() => restored.RemoveExpired(_time.GetUtcNow().AddDays(30)));

        Assert.Null(evict);
        Assert.Null(retention);
    }
}
