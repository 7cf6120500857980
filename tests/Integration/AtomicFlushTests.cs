using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A partition's flush as the one atomic Redis call it is on a Redis silo (<see cref="PartitionStore"/> over
/// <see cref="PartitionFlushScript"/>): what retention deletes goes in the same call as the tombstones that record it,
/// and a flush that landed although its sender heard it fail is found whole, while its sender is fenced off.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class AtomicFlushTests(RedisFixture fixture)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ARetentionFlush_DeletesItsSegments_AndWritesTheirTombstones_InOneCall()
    {
        const string queue = "af-retention";
        await using var cluster = await StartAsync();
        var partition = await PlayedPartition.OpenAsync(cluster, Storage(cluster), Flush(cluster), queue, _time);
        var origin = partition.Partition.Head.NextSequence; // a fresh partition starts at the clock's sequence, on a segment's first slot
        var first = TaskSegment.NumberOf(origin);
        for (var i = 0; i < 3 * TaskSegment.Capacity; i++) partition.Partition.Submit(Submission(), _time.GetUtcNow());
        await partition.FlushAsync();
        // The first segment keeps its pending tasks; the next two hold only cancelled ones, which retention deletes.
        for (var sequence = origin + TaskSegment.Capacity; sequence < origin + 3 * TaskSegment.Capacity; sequence++) partition.Partition.Cancel(sequence, _time.GetUtcNow(), out _, out _);
        await partition.FlushAsync();
        Assert.Equal(2, partition.Partition.RemoveExpired(_time.GetUtcNow() + TimeSpan.FromDays(8)));

        var calls = await fixture.Redis.CallsAsync("evalsha");
        await partition.FlushAsync();

        Assert.Equal(1, await fixture.Redis.CallsAsync("evalsha") - calls);
        Assert.False(partition.Store.HasUnwrittenBookkeeping, "the tombstones were left for another write");
        Assert.Equal([$"gone-{SegmentTombstones.PageOf(first + 1)}", "head", $"seg-{first}"], StateNames(cluster));
        var next = await PlayedPartition.OpenAsync(cluster, Storage(cluster), Flush(cluster), queue, _time);
        Assert.True(next.Store.Tombstones.IsDeleted(first + 1) && next.Store.Tombstones.IsDeleted(first + 2), "the next activation does not know the deleted segments");
        Assert.Equal(TaskSegment.Capacity, next.Partition.Stats().Pending);
    }

    [Fact]
    public async Task AFlushWhoseReplyWasLost_LandedWhole_AndItsSenderIsFencedOff()
    {
        const string queue = "af-reply";
        await using var cluster = await StartAsync();
        var faults = new FaultInjectingStorage(Storage(cluster));
        var flush = new FaultInjectingFlush(Flush(cluster), faults);
        var sender = await PlayedPartition.OpenAsync(cluster, faults, flush, queue, _time);
        var origin = sender.Partition.Head.NextSequence;
        for (var i = 0; i < TaskSegment.Capacity + 2; i++) sender.Partition.Submit(Submission(), _time.GetUtcNow());
        await sender.FlushAsync();

        // Fills segment 1 and starts segment 2: three segments and the head in one flush, whose reply is lost.
        for (var i = 0; i < TaskSegment.Capacity; i++) sender.Partition.Submit(Submission(), _time.GetUtcNow());
        flush.LoseNextReply();
        await Assert.ThrowsAsync<IOException>(sender.FlushAsync);

        var next = await PlayedPartition.OpenAsync(cluster, faults, flush, queue, _time);
        Assert.Equal(origin + 2 * TaskSegment.Capacity + 2, next.Partition.Head.NextSequence);
        Assert.Equal(2 * TaskSegment.Capacity + 2, next.Partition.Stats().Pending);
        // The sender never learned the ETags its flush wrote: had it gone on (a failed write breaks a partition, so it
        // does not), its next flush would be refused rather than write over what the next activation reads.
        sender.Partition.Submit(Submission(), _time.GetUtcNow());
        await Assert.ThrowsAsync<InconsistentStateException>(sender.FlushAsync);
        Assert.Equal(origin + 2 * TaskSegment.Capacity + 2, (await PlayedPartition.OpenAsync(cluster, faults, flush, queue, _time)).Partition.Head.NextSequence);
    }

    private Task<TaskQueueCluster> StartAsync() =>
        TaskQueueCluster.StartAsync(fixture.Redis, [], configure: (_, s) => s.Partitions.RefuseUnknownTaskNames = false);

    private static IGrainStorage Storage(TaskQueueCluster cluster) =>
        cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TaskQueueGrain.StorageName);

    private static IPartitionFlush Flush(TaskQueueCluster cluster) => cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IPartitionFlush>();

    private static TaskSubmission Submission() => new() { TaskName = "t", Payload = "{}"u8.ToArray() };

    private List<string> StateNames(TaskQueueCluster cluster) =>
        [.. fixture.Redis.Server.Keys(pattern: $"{cluster.Cluster.Options.ServiceId}/state/*").Select(k => k.ToString()[(k.ToString().LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal)];
}
