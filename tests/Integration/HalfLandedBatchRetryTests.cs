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
/// A batch submit whose write landed only in part (the host killed mid-flush, or Redis refusing some of its writes) is
/// resent by the client with the same tokens. The partition is played as its grain plays it over the Redis storage of a
/// running silo (as in <c>HeadCopyFaultTests</c>); the next activation loads what Redis holds.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class HalfLandedBatchRetryTests(RedisFixture fixture)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact(Skip = "Known, not fixed (#12): in Redis mode a flush is one script and lands whole (AtomicFlushTests), so this cannot happen there; through a storage written state by state (the embedded one, played here) it still can.")]
    public async Task ARetriedBatchWhoseFirstWriteHalfLanded_MakesEachTaskOnce_AndKeepsTheBatchInFifoOrder()
    {
        const string queue = "half-batch";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);
        var storage = new FaultInjectingStorage(Storage(cluster));
        var first = await OpenAsync(cluster, storage, queue);
        var origin = first.Partition.Head.NextSequence; // a fresh partition's first sequence, on a segment's first slot
        for (var i = 0; i < TaskSegment.Capacity - 4; i++) first.Partition.Submit(Submission(null), _time.GetUtcNow());
        await FlushAsync(first);

        // One client call of 10 tasks: 4 go to the first segment, 6 to the second. Only the second lands.
        var call = Guid.NewGuid();
        var batch = Enumerable.Range(0, 10).Select(i => Submission(new SubmitToken(call, i))).ToArray();
        foreach (var item in batch) first.Partition.Submit(item, _time.GetUtcNow());
        storage.Lose("head", $"seg-{TaskSegment.NumberOf(origin)}");
        await Assert.ThrowsAsync<IOException>(() => FlushAsync(first));
        storage.LoseNothing();

        // The client did not learn the outcome and sends the same items again to the partition's next activation.
        var next = await OpenAsync(cluster, storage, queue);
        var ids = batch.Select(item => next.Partition.Submit(item, _time.GetUtcNow()).Sequence).ToArray();

        Assert.Equal(10, ids.Distinct().Count()); // no task twice (holds)
        // Acknowledged in the order given, dispatched FIFO: today items 4..9 keep the sequences segment 1 gave them and
        // items 0..3 get later ones, so the batch runs 4..9 before 0..3.
        Assert.Equal(ids.Order(), ids);
    }

    private static IGrainStorage Storage(TaskQueueCluster cluster) =>
        cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TaskQueueGrain.StorageName);

    private static TaskSubmission Submission(SubmitToken? token) => new() { TaskName = "t", Payload = "{}"u8.ToArray(), Token = token };

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
