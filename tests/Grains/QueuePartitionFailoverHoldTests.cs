using DistributedTaskQueue.Queue;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Grains;

/// <summary>
/// The failover hold and the tasks of silos declared dead that are leased during it, on a fake clock. A task whose
/// stored lease is a dead silo's may still be run by a live worker: the previous host released it (the silo died),
/// handed it to that worker, and died itself before either change was written.
/// </summary>
public sealed class QueuePartitionFailoverHoldTests
{
    private const string DeadSilo = "10.0.0.1:11111@1";
    private const string LiveSilo = "10.0.0.2:11111@1";
    private const string OtherSilo = "10.0.0.3:11111@1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly RetryPolicy DefaultRetry = new() { MaxRetries = 3, RetryDelay = TimeSpan.FromSeconds(10), Jitter = 0 };
    private readonly PartitionOptions _options = new();

    private QueuePartition NewPartition(PartitionHead head) => new("q", 0, _options, DefaultRetry, () => 0.5, head);

    private static TaskSubmission Submission() => new() { TaskName = "t", Payload = "{}"u8.ToArray() };

    /// <summary>
    /// The previous activation (epoch 1): the task leased to a silo and written; then that silo is declared dead, the
    /// host releases the task and hands it to a live worker at once (a parked long poll), and dies before the write that
    /// carries the release and the new lease lands (it was behind a write already in flight).
    /// </summary>
    private (QueuePartition Restored, LeasedTask Unwritten, long Sequence) TheHostDiesRightAfterReleasingADeadSilosTask()
    {
        var first = NewPartition(new PartitionHead { Epoch = 1 });
        var id = first.Submit(Submission(), _time.GetUtcNow());
        first.CommitStaged(first.TakeStaged());
        Assert.Single(first.Lease(DeadSilo, 0, 1, _time.GetUtcNow()));
        var written = first.TakeDirty().Select(d => Clone(d.Segment!)).ToList(); // Running on the dead silo, written

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, first.ReleaseWorker(w => w == DeadSilo, _time.GetUtcNow()));
        var unwritten = Assert.Single(first.Lease(LiveSilo, 7, 1, _time.GetUtcNow())); // the live worker starts it
        Assert.Equal(2, unwritten.Attempt);
        // ...and the host dies: neither the release nor the new lease was written.

        var restored = NewPartition(new PartitionHead { Epoch = 2, NextSequence = 1 });
        restored.Restore(written, _time.GetUtcNow());
        restored.HoldDispatch(_time.GetUtcNow().AddSeconds(3));
        // The new activation's first membership snapshot names the dead silo: its stored lease goes back at once.
        Assert.Equal(1, restored.ReleaseWorker(w => w == DeadSilo, _time.GetUtcNow()));
        return (restored, unwritten, id.Sequence);
    }

    [Fact]
    public void DuringTheHold_ADeadSilosTaskThatALiveWorkerRunsUnderAnUnwrittenLease_IsNotLeasedToASecondWorker()
    {
        var (restored, unwritten, sequence) = TheHostDiesRightAfterReleasingADeadSilosTask();

        // A parked long poll of another silo is served before the live worker's next heartbeat (2 s).
        var leased = restored.Lease(OtherSilo, 0, 10, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1));
        var renewed = restored.Renew(LiveSilo, unwritten.Lease, _time.GetUtcNow());

        // Invariant 3: the hold exists so that a live worker can announce a lease its host never wrote. Before the
        // hold leased dead silos' tasks at once, the live worker adopted this one here and nobody else ran it.
        Assert.DoesNotContain(leased, t => t.Id.Sequence == sequence);
        Assert.True(renewed);
    }

    [Fact]
    public void DuringTheHold_ATaskReleasedTwiceBeforeAnyLeaseCall_IsLeasedOnce_AndDoesNotBreakThePartition()
    {
        var (restored, unwritten, sequence) = TheHostDiesRightAfterReleasingADeadSilosTask();

        // The live worker announces its lease first (adopted), then its silo is declared dead too, all within the hold.
        Assert.True(restored.Renew(LiveSilo, unwritten.Lease, _time.GetUtcNow()));
        Assert.Equal(1, restored.ReleaseWorker(w => w == LiveSilo, _time.GetUtcNow()));

        // Released twice within the hold: granting it twice would be an illegal Running -> Running move, which throws
        // inside the grain's Change and breaks (reloads) the partition. Nothing is leased until the hold ends.
        Assert.Empty(restored.Lease(OtherSilo, 0, 10, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(4));
        var leased = restored.Lease(OtherSilo, 1, 10, _time.GetUtcNow());

        var task = Assert.Single(leased);
        Assert.Equal(sequence, task.Id.Sequence);
        Assert.Equal(3, task.Attempt);
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
