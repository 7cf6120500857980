using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// The head key written only when it must, and copies of the head in the segments, under the faults storage has: a
/// flush whose writes land only in part (a process killed mid-flush, a Redis that refuses some), and a second
/// activation of a partition. The partition is played here as its grain plays it (open, change, flush) over the
/// Redis storage of a running silo, so every claim is about what Redis holds; the silo's own activation of the
/// partition is the "next activation" where it can be.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class HeadCopyFaultTests(RedisFixture fixture)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ACleanCloseWhoseHeadWriteIsLost_StillHoldsDispatchBack_WhenSomeLeaseMarksWereLostWithIt()
    {
        const string queue = "hc-clean";
        await using var cluster = await StartAsync();
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue);
        for (var i = 0; i < TaskSegment.Capacity + 6; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first);
        // Leases whose marks only the next write would carry (a lease is answered before its mark is written).
        var leased = first.Partition.Lease("w1", 1, 100, _time.GetUtcNow());
        Assert.Equal(TaskSegment.Capacity + 6, leased.Count);

        // Deactivation's last write says "closed cleanly", but only segment 0 lands: the head and segment 1 are lost.
        first.Partition.Head.ClosedCleanly = true;
        storage.Lose("head", "seg-1");
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));

        // Segment 1's tasks are Pending again in Redis while w1 still runs them: the next activation must hold
        // dispatch back so w1 can renew them, not hand them to another worker at once.
        storage.LoseNothing();
        var next = await OpenAsync(cluster, storage, queue);
        Assert.True(next.Partition.IsHeld(_time.GetUtcNow()), "the clean-close flag rode in segment 0 although segment 1's lease marks were lost");
        var again = next.Partition.Lease("w2", 1, 100, _time.GetUtcNow()).Count(t => t.Id.Sequence >= TaskSegment.Capacity);
        Assert.True(again == 0, $"{again} tasks w1 still runs were leased to w2 at once");
    }

    [Fact]
    public async Task DeletingTheTailSegment_WhenTheHeadWriteIsLost_NeverReusesASequenceNumber()
    {
        const string queue = "hc-tail";
        await using var cluster = await StartAsync();
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue);
        for (var i = 0; i < 10; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first); // a new segment: the head key says next sequence 10
        for (var i = 0; i < 10; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first); // within segment 0: only its copy of the head says 20
        for (var sequence = 0L; sequence < 20; sequence++) first.Partition.Cancel(sequence, _time.GetUtcNow(), out _, out _);
        await FlushAsync(first);

        // Retention deletes the tail segment (and with it the only copy that knew 20); the head write is lost.
        Assert.Equal(1, first.Partition.RemoveExpired(_time.GetUtcNow() + TimeSpan.FromDays(8)));
        storage.Lose("head");
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));
        storage.LoseNothing();

        // Sequences 10..19 were tasks that clients were given ids for: the next task must not be one of them.
        var next = await cluster.Client.SubmitAsync(new RecordTask("after"), queue);
        Assert.True(next.Sequence >= 20, $"the next task got sequence {next.Sequence}, the id of an earlier task");
    }

    [Fact]
    public async Task ASecondActivationsPause_SurvivesTheFirstActivationStillWritingSegments()
    {
        const string queue = "hc-zombie";
        await using var cluster = await StartAsync();
        var storage = Storage(cluster);
        var zombie = await OpenAsync(cluster, storage, queue);
        for (var i = 0; i < 4; i++) zombie.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(zombie);

        // Orleans activates the partition again elsewhere (a silo declared dead that is still running, say); the new
        // activation pauses the queue and acknowledges the pause.
        var owner = await OpenAsync(cluster, storage, queue);
        owner.Partition.SetPaused(true);
        await FlushAsync(owner);

        // The old activation does not know yet. Before, each of its writes carried the head key with a stale ETag and
        // failed; now its segment-only flushes land, each with a copy of its head (not paused) counted higher.
        for (var sequence = 0L; sequence < 2; sequence++)
        {
            zombie.Partition.Cancel(sequence, _time.GetUtcNow(), out _, out _);
            try
            {
                await FlushAsync(zombie);
            }
            catch (InconsistentStateException)
            {
                // Fenced off (as before the head rode in segments): the pause is safe.
            }
        }

        // Once both are gone, the partition's next activation must still be paused.
        Assert.True((await cluster.Client.GetQueueStatsAsync(queue)).Paused, "an acknowledged pause was lost to a stale activation's copy of the head");
    }

    [Fact]
    public async Task ACompletionAcknowledgedByAReplacedActivation_IsNeverLeasedAgain()
    {
        const string queue = "hc-fence";
        await using var cluster = await StartAsync();
        var storage = Storage(cluster);
        var options = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<PartitionOptions>>().Value;
        var stale = await OpenAsync(cluster, storage, queue);
        stale.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(stale);
        var x = Assert.Single(stale.Partition.Lease("w1", 1, 1, _time.GetUtcNow()));
        await FlushAsync(stale); // its lease mark

        // Orleans activates the partition again (the first one's silo was declared dead but is still running). The new
        // activation writes as it does when its failover hold ends: the head only, making its epoch durable.
        var owner = await OpenAsync(cluster, storage, queue);
        await FlushAsync(owner);

        // The replaced activation, not knowing, accepts w1's success and writes it. Before the head rode in segments
        // every flush wrote the head key too, and this one failed on its ETag: w1's reporter then retried and reached
        // the owner, which completed the task.
        Assert.True(stale.Partition.Complete(new TaskCompletion(x.Lease, new TaskOutcome.Succeeded("1"u8.ToArray())), _time.GetUtcNow(), "w1"));
        try
        {
            await FlushAsync(stale);
        }
        catch (InconsistentStateException)
        {
            return; // fenced off: the success was never acknowledged
        }

        // Acknowledged: w1 is done and renews no more. The owner still holds the task for w1; when that lease runs out
        // it must not hand the task to another worker.
        var later = _time.GetUtcNow() + options.LeaseDuration + TimeSpan.FromSeconds(1);
        owner.Partition.ExpireLeases(later);
        var again = owner.Partition.Lease("w2", 1, 10, later);
        Assert.False(again.Any(t => t.Id.Sequence == x.Id.Sequence), "a task whose success was acknowledged was leased to a second worker");
    }

    [Fact]
    public async Task ASegmentWrittenPastOneThatWasLost_IsFoundAtActivation_AndItsSequencesAreNeverReused()
    {
        const string queue = "hc-gap";
        await using var cluster = await StartAsync();
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue);
        for (var i = 0; i < TaskSegment.Capacity; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first);

        // A batch fills segments 1 to 3; segment 1 and the head are lost, segments 2 and 3 land.
        for (var i = 0; i < 2 * TaskSegment.Capacity + 2; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        storage.Lose("head", "seg-1");
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));
        storage.LoseNothing();

        // Whatever records Redis holds (here 128..193, of a batch whose submit failed), activation must know them: the
        // next task gets none of their numbers, so none comes back to life under a number a later task was given.
        var stored = await HighestStoredSequenceAsync(cluster);
        var next = await cluster.Client.SubmitAsync(new RecordTask("after"), queue);
        Assert.True(next.Sequence > stored, $"the next task got sequence {next.Sequence}, below record {stored} that Redis already holds");
    }

    /// <summary>The highest sequence of a record in any segment Redis holds for this cluster's service.</summary>
    private async Task<long> HighestStoredSequenceAsync(TaskQueueCluster cluster)
    {
        var serializer = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();
        var db = fixture.Redis.Connection.GetDatabase();
        var highest = -1L;
        foreach (var key in fixture.Redis.Server.Keys(pattern: $"{cluster.Cluster.Options.ServiceId}/state/*/seg-*"))
        {
            var segment = serializer.Deserialize<TaskSegment>((byte[])(await db.HashGetAsync(key, "data"))!)!;
            highest = Math.Max(highest, segment.Tasks.Select(t => t.Sequence).DefaultIfEmpty(-1).Max());
        }
        return highest;
    }

    private Task<TaskQueueCluster> StartAsync() =>
        TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);

    private static IGrainStorage Storage(TaskQueueCluster cluster) =>
        cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TaskQueueGrain.StorageName);

    private static TaskSubmission Submission() => new() { TaskName = "t", Payload = "{}"u8.ToArray() };

    /// <summary>Opens partition 0 of the queue as its grain does, over <paramref name="storage"/>.</summary>
    private async Task<Activation> OpenAsync(TaskQueueCluster cluster, IGrainStorage storage, string queue)
    {
        var services = cluster.Cluster.Silos[0].ServiceProvider;
        var key = QueueNames.PartitionKey(queue, 0);
        var store = new PartitionStore(storage, services.GetRequiredService<Serializer>(), GrainId.Create(TaskQueueGrain.GrainTypeName, key));
        var options = services.GetRequiredService<IOptions<PartitionOptions>>().Value;
        var loader = new PartitionLoader(store, services.GetRequiredService<PartitionMetrics>(), options, _time, queue, key, NullLogger.Instance);
        return new Activation(store, await loader.OpenAsync(0, services.GetRequiredService<IOptions<TaskQueueOptions>>().Value.DefaultRetry));
    }

    /// <summary>One group-commit write, as PartitionWrites.BeginWrite makes it.</summary>
    private static async Task FlushAsync(Activation activation)
    {
        var staged = activation.Partition.TakeStaged();
        activation.Partition.TakeFinished();
        await activation.Store.WriteAsync(activation.Partition.Head, activation.Partition.TakeDirty());
        activation.Partition.CommitStaged(staged);
        activation.Partition.Settle();
    }

    private sealed record Activation(PartitionStore Store, QueuePartition Partition);
}
