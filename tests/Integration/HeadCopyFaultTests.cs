using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
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
/// partition is the "next activation" where it can be. Each test runs on both write paths: the Redis script the silo
/// uses (atomic: a flush touching a lost state is lost whole) and ordered writes through the grain storage (the
/// embedded storage's path, where a flush can land in part).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class HeadCopyFaultTests(RedisFixture fixture)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ACleanCloseWhoseHeadWriteIsLost_StillHoldsDispatchBack_WhenSomeLeaseMarksWereLostWithIt(bool atomic)
    {
        const string queue = "hc-clean";
        await using var cluster = await StartAsync();
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue, atomic);
        var origin = first.Partition.Head.NextSequence; // a fresh partition's first sequence (the clock's, not 0)
        for (var i = 0; i < TaskSegment.Capacity + 6; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first);
        // Leases whose marks only the next write would carry (a lease is answered before its mark is written).
        var leased = first.Partition.Lease("w1", 1, 100, _time.GetUtcNow());
        Assert.Equal(TaskSegment.Capacity + 6, leased.Count);

        // Deactivation's last write says "closed cleanly", but the head and segment 1 are lost (ordered: segment 0 lands
        // alone; atomic: nothing lands).
        first.Partition.Head.ClosedCleanly = true;
        storage.Lose("head", SegmentName(origin, 1));
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));

        // Segment 1's tasks are Pending again in Redis while w1 still runs them: the next activation must hold
        // dispatch back so w1 can renew them, not hand them to another worker at once.
        storage.LoseNothing();
        var next = await OpenAsync(cluster, storage, queue, atomic);
        Assert.True(next.Partition.IsHeld(_time.GetUtcNow()), "the clean-close flag rode in segment 0 although segment 1's lease marks were lost");
        var again = next.Partition.Lease("w2", 1, 100, _time.GetUtcNow()).Count(t => t.Id.Sequence >= origin + TaskSegment.Capacity);
        Assert.True(again == 0, $"{again} tasks w1 still runs were leased to w2 at once");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeletingTheTailSegment_WhenTheHeadWriteIsLost_NeverReusesASequenceNumber(bool atomic)
    {
        const string queue = "hc-tail";
        await using var cluster = await StartAsync();
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue, atomic);
        var origin = first.Partition.Head.NextSequence;
        for (var i = 0; i < 10; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first); // a new segment: the head key says next sequence 10
        for (var i = 0; i < 10; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first); // within segment 0: only its copy of the head says 20
        for (var sequence = origin; sequence < origin + 20; sequence++) first.Partition.Cancel(sequence, _time.GetUtcNow(), out _, out _);
        await FlushAsync(first);

        // Retention deletes the tail segment (and with it the only copy that knew 20); the head write is lost.
        Assert.Equal(1, first.Partition.RemoveExpired(_time.GetUtcNow() + TimeSpan.FromDays(8)));
        storage.Lose("head");
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));
        storage.LoseNothing();

        // Sequences 10..19 were tasks that clients were given ids for: the next task must not be one of them.
        var next = await cluster.Client.SubmitAsync(new RecordTask("after"), queue);
        Assert.True(next.Sequence >= origin + 20, $"the next task got sequence {next.Sequence}, the id of an earlier task");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASecondActivationsPause_SurvivesTheFirstActivationStillWritingSegments(bool atomic)
    {
        const string queue = "hc-zombie";
        await using var cluster = await StartAsync();
        var storage = Storage(cluster);
        var zombie = await OpenAsync(cluster, storage, queue, atomic);
        var origin = zombie.Partition.Head.NextSequence;
        for (var i = 0; i < 4; i++) zombie.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(zombie);

        // Orleans activates the partition again elsewhere (a silo declared dead that is still running, say); the new
        // activation pauses the queue and acknowledges the pause.
        var owner = await OpenAsync(cluster, storage, queue, atomic);
        owner.Partition.SetPaused(true);
        await FlushAsync(owner);

        // The old activation does not know yet. Before, each of its writes carried the head key with a stale ETag and
        // failed; now its segment-only flushes land, each with a copy of its head (not paused) counted higher.
        for (var sequence = origin; sequence < origin + 2; sequence++)
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ACompletionAcknowledgedByAReplacedActivation_IsNeverLeasedAgain(bool atomic)
    {
        const string queue = "hc-fence";
        await using var cluster = await StartAsync();
        var storage = Storage(cluster);
        var options = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<PartitionOptions>>().Value;
        var stale = await OpenAsync(cluster, storage, queue, atomic);
        stale.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(stale);
        var x = Assert.Single(stale.Partition.Lease("w1", 1, 1, _time.GetUtcNow()));
        await FlushAsync(stale); // its lease mark

        // Orleans activates the partition again (the first one's silo was declared dead but is still running). The new
        // activation writes as it does when its failover hold ends: the head only, making its epoch durable.
        var owner = await OpenAsync(cluster, storage, queue, atomic);
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASegmentWrittenPastOneThatWasLost_IsFoundAtActivation_AndItsSequencesAreNeverReused(bool atomic)
    {
        const string queue = "hc-gap";
        await using var cluster = await StartAsync();
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue, atomic);
        var origin = first.Partition.Head.NextSequence;
        for (var i = 0; i < TaskSegment.Capacity; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first);

        // A batch fills segments 1 to 3; segment 1 and the head are lost (ordered: segments 2 and 3 land; atomic: none does).
        for (var i = 0; i < 2 * TaskSegment.Capacity + 2; i++) first.Partition.Submit(Submission(), _time.GetUtcNow());
        storage.Lose("head", SegmentName(origin, 1));
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));
        storage.LoseNothing();

        // Whatever records Redis holds (ordered: 128..193, of a batch whose submit failed), activation must know them: the
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

    /// <summary>The state name of the partition's segment <paramref name="index"/> counted from its first sequence.</summary>
    private static string SegmentName(long origin, int index) => $"seg-{TaskSegment.NumberOf(origin) + index}";

    private Task<TaskQueueCluster> StartAsync() =>
        TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);

    private static IGrainStorage Storage(TaskQueueCluster cluster) =>
        cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TaskQueueGrain.StorageName);

    private static TaskSubmission Submission() => new() { TaskName = "t", Payload = "{}"u8.ToArray() };

    /// <summary>
    /// Opens partition 0 of the queue as its grain does, reading through <paramref name="storage"/>, and flushing through
    /// the silo's script (under the same lost writes) when <paramref name="atomic"/>, else through the storage in order.
    /// </summary>
    private Task<PlayedPartition> OpenAsync(TaskQueueCluster cluster, IGrainStorage storage, string queue, bool atomic)
    {
        var script = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IPartitionFlush>();
        var flush = !atomic ? null : storage is FaultInjectingStorage faults ? new FaultInjectingFlush(script, faults) : script;
        return PlayedPartition.OpenAsync(cluster, storage, flush, queue, _time);
    }

    private static Task FlushAsync(PlayedPartition partition) => partition.FlushAsync();
}
