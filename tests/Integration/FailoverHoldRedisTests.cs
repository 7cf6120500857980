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
/// The failover hold over what Redis holds: the partition is played as its grain plays it (open, change, flush) over the
/// Redis storage of a running silo, as in <c>HeadCopyFaultTests</c>, and the next activation loads from Redis.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class FailoverHoldRedisTests(RedisFixture fixture)
{
    private const string DeadSilo = "10.0.0.1:11111@1";
    private const string LiveSilo = "10.0.0.2:11111@1";
    private const string OtherSilo = "10.0.0.3:11111@1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ADeadSilosTask_ThatTheDeadHostHadHandedToALiveWorkerUnwritten_IsNotLeasedAgainDuringTheHold()
    {
        const string queue = "fh-unwritten";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);
        var storage = Storage(cluster);
        var first = await OpenAsync(cluster, storage, queue);
        var id = first.Partition.Submit(Submission(), _time.GetUtcNow());
        await FlushAsync(first);
        Assert.Single(first.Partition.Lease(DeadSilo, 1, 1, _time.GetUtcNow()));
        await FlushAsync(first); // Redis: Running on the dead silo

        // The silo is declared dead: the host releases its task and hands it to a parked live worker at once; the write
        // that carries both (queued behind one in flight) never lands: the host dies, or that write fails and it reloads.
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, first.Partition.ReleaseWorker(w => w == DeadSilo, _time.GetUtcNow()));
        var running = Assert.Single(first.Partition.Lease(LiveSilo, 1, 1, _time.GetUtcNow()));

        var next = await OpenAsync(cluster, storage, queue);
        Assert.True(next.Partition.IsHeld(_time.GetUtcNow()));
        Assert.Equal(1, next.Partition.ReleaseWorker(w => w == DeadSilo, _time.GetUtcNow())); // its first membership view
        var leasedDuringHold = next.Partition.Lease(OtherSilo, 1, 10, _time.GetUtcNow()); // a parked long poll
        _time.Advance(TimeSpan.FromSeconds(2));
        var renewed = next.Partition.Renew(LiveSilo, running.Lease, _time.GetUtcNow()); // the live worker's heartbeat

        Assert.DoesNotContain(leasedDuringHold, t => t.Id == id); // today: leased again while the live worker runs it
        Assert.True(renewed);
    }

    /// <summary>
    /// The end of a hold changes nothing that is written, so nothing but the partition's own tick tells the workers'
    /// parked polls about it. That tick used to announce it only when it landed within a second of the end: a starved
    /// silo's late tick missed it, and two silos' polls then parked behind each other's forever beside the held tasks
    /// (the Redis-restart test under silo processes, about 1 run in 8 under load). Here the wall clock jumps past the
    /// hold's end while both silos' polls are parked, as a late tick sees it.
    /// </summary>
    [Fact]
    public async Task TasksHeldAtActivation_ReachParkedWorkersOnTwoSilos_EvenWhenTheFirstTickAfterTheHoldIsLate()
    {
        const string queue = "fh-late-tick";
        var serviceId = Guid.NewGuid().ToString("N");
        TaskId id;
        // A host that died: its head says it did not close cleanly, and a task it acknowledged waits Pending.
        await using (var before = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId))
        {
            var played = await PlayedPartition.OpenAsync(before, Storage(before), null, queue, TimeProvider.System);
            id = played.Partition.Submit(new TaskSubmission { TaskName = BuiltInTasks.Echo, Payload = "\"held\""u8.ToArray() }, TimeProvider.System.GetUtcNow());
            await played.FlushAsync();
        }

        var clock = new ShiftedClock();
        var hold = TimeSpan.FromSeconds(20);
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], silos: 2, serviceId: serviceId,
            configure: (_, s) => s.Partitions.FailoverHoldBack = hold, services: s => s.AddSingleton<TimeProvider>(clock));
        Assert.Equal(1, (await cluster.Client.GetQueueStatsAsync(queue)).Pending); // held: nothing leased yet
        await Task.Delay(TimeSpan.FromSeconds(1)); // both silos' workers have parked a poll by now (they poll at once)
        clock.Shift(hold + TimeSpan.FromSeconds(5));

        var info = await cluster.Client.WaitAsync(id, TimeSpan.FromSeconds(15));
        Assert.Equal(TaskState.Succeeded, info.State); // before the fix: still Pending, both polls parked in turn
    }

    private static IGrainStorage Storage(TaskQueueCluster cluster) =>
        cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TaskQueueGrain.StorageName);

    private static TaskSubmission Submission() => new() { TaskName = "t", Payload = "{}"u8.ToArray() };

    /// <summary>Opens partition 0 of the queue as its grain does, over <paramref name="storage"/>.</summary>
    private async Task<Activation> OpenAsync(TaskQueueCluster cluster, IGrainStorage storage, string queue)
    {
        var services = cluster.Cluster.Silos[0].ServiceProvider;
        var key = QueueNames.PartitionKey(queue, 0);
        var store = new PartitionStore(storage, null, services.GetRequiredService<Serializer>(), GrainId.Create(TaskQueueGrain.GrainTypeName, key));
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
