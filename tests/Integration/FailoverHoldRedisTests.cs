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
