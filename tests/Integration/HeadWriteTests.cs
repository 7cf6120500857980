using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>The partition's head key: written with every flush, covering every segment, so sequences are never reused and counters are kept.</summary>
[Collection(RedisGroup.Name)]
public sealed class HeadWriteTests(RedisFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private IDatabase Db => fixture.Redis.Connection.GetDatabase();

    [Fact]
    public async Task EveryFlush_WritesTheHead_SoItsETagFencesAStaleActivation_AndARestartKnowsEverySequenceAndCount()
    {
        const string queue = "hw-tail";
        var serviceId = Guid.NewGuid().ToString("N");
        long origin = -1; // a fresh partition's first sequence (the clock's, not 0)
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId))
        {
            var serializer = first.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();
            for (var i = 0; i < 11; i++)
            {
                var id = await first.Client.SubmitAsync(new RecordTask($"t{i}"), queue);
                if (i == 0) origin = id.Sequence;
                await first.Client.WaitForResultAsync<string>(id, Timeout);
            }

            // Flushes within the tail segment still write the head key (see PartitionStore.WriteAsync for why).
            var head = Read<PartitionHead>(serializer, await Db.HashGetAsync(Key(serviceId, "head"), "data"));
            Assert.Equal(origin + 11, head.NextSequence);
            await ClusterProbes.Eventually(async () => Read<PartitionHead>(serializer, await Db.HashGetAsync(Key(serviceId, "head"), "data")).Succeeded == 11, Timeout, "the head counts every success");
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId);
        Assert.Equal(11, (await second.Client.GetQueueStatsAsync(queue)).Succeeded);
        var next = await second.Client.SubmitAsync(new RecordTask("after"), queue);
        Assert.Equal(origin + 11, next.Sequence);
        Assert.Equal("after", await second.Client.WaitForResultAsync<string>(next, Timeout));
        Assert.Equal(12, (await second.Client.GetQueueStatsAsync(queue)).Succeeded);
    }

    [Fact]
    public async Task AFlushThatStartsANewSegment_WritesTheHead_SoActivationFindsEverySegment()
    {
        const string queue = "hw-new";
        var serviceId = Guid.NewGuid().ToString("N");
        IReadOnlyList<TaskId> ids;
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId))
        {
            var serializer = first.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();
            ids = await first.Client.SubmitBatchAsync(Enumerable.Range(0, TaskSegment.Capacity * 3 + 5).Select(i => new RecordTask($"n{i}")), queue);
            var head = Read<PartitionHead>(serializer, await Db.HashGetAsync(Key(serviceId, "head"), "data"));
            Assert.Equal(ids[0].Sequence + ids.Count, head.NextSequence);
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId);
        Assert.Equal($"n{ids.Count - 1}", await second.Client.WaitForResultAsync<string>(ids[^1], Timeout));
        await ClusterProbes.Eventually(async () => (await second.Client.GetQueueStatsAsync(queue)).Succeeded == ids.Count, Timeout, "every task ran");
        Assert.Equal(ids[0].Sequence + ids.Count, (await second.Client.SubmitAsync(new RecordTask("next"), queue)).Sequence);
    }

    private static T Read<T>(Serializer serializer, RedisValue value) => serializer.Deserialize<T>((byte[])value!)!;

    private RedisKey Key(string serviceId, string stateName) =>
        fixture.Redis.Server.Keys(pattern: $"{serviceId}/state/*/{stateName}").Single();
}
