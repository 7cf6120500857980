using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// The queue directory on real Redis: a queue is listed once a submit to it is written, and stays listed across a
/// restart; reads (stats, task lookups, listings by state) of a queue nobody used neither list it nor write a key.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class QueueDirectoryTests(RedisFixture fixture)
{
    [Fact]
    public async Task ReadsOfAQueueNobodyUsed_DoNotListIt_AndLeaveRedisUnchanged()
    {
        var serviceId = "qdir-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["qdir-served"], serviceId: serviceId);
        var client = cluster.Client;
        var served = await ListedEventuallyAsync(client, "qdir-served");
        Assert.Equal("qdir-served", served.Stats.Queue);
        var before = Keys(serviceId);
        var allBefore = fixture.Redis.Server.Keys(pattern: "*").Count();

        foreach (var queue in new[] { "qdir-read-1", "qdir-read-2" })
        {
            Assert.Equal(0, (await client.GetQueueStatsAsync(queue)).Pending);
            Assert.Null(await client.GetTaskAsync(new TaskId(queue, 0, 3)));
            Assert.Empty(await client.ListTasksAsync(queue, TaskState.Pending, 500));
            Assert.Empty(await client.ListTasksAsync(queue, TaskState.Running));
            Assert.Empty(await client.ListTasksAsync(queue, TaskState.Scheduled));
            Assert.Empty(await client.ListDeadLettersAsync(queue));
            Assert.Equal(0, await client.PurgeQueueAsync(queue));
        }
        var listed = await client.ListQueuesAsync();

        Assert.DoesNotContain(listed, q => q.Queue.StartsWith("qdir-read", StringComparison.Ordinal));
        Assert.Equal(before, Keys(serviceId));
        Assert.Equal(allBefore, fixture.Redis.Server.Keys(pattern: "*").Count());
    }

    [Fact]
    public async Task AQueueThatGotOneSubmit_IsListed_AfterASiloRestart()
    {
        var serviceId = "qdir-" + Guid.NewGuid().ToString("N")[..8];
        await using (var first = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId))
        {
            Assert.DoesNotContain(await first.Client.ListQueuesAsync(), q => q.Queue == "qdir-once");
            await first.Client.SubmitAsync(new RecordTask("once"), "qdir-once");
            Assert.Contains(await first.Client.ListQueuesAsync(), q => q.Queue == "qdir-once");
        }

        await using var second = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId);
        var listed = Assert.Single(await second.Client.ListQueuesAsync());

        Assert.Equal("qdir-once", listed.Queue);
        Assert.Equal(1, listed.Stats.Pending);
    }

    [Fact]
    public async Task APartition_TellsTheDirectoryOncePerActivation_NotOnEverySubmit()
    {
        var calls = new GrainCallCounter();
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], services: s => s.AddSingleton<IIncomingGrainCallFilter>(calls));

        for (var i = 0; i < 10; i++) await cluster.Client.SubmitAsync(new RecordTask($"s{i}"), "qdir-often");
        await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 10).Select(i => new RecordTask($"b{i}")), "qdir-often");

        Assert.Equal(1, calls.Of("IQueueDirectoryGrain.AddAsync"));
        Assert.Equal("qdir-often", Assert.Single(await cluster.Client.ListQueuesAsync()).Queue);
    }

    /// <summary>Workers tell the catalog what they serve when they start, soon after the silo is up.</summary>
    private static async Task<QueueSummary> ListedEventuallyAsync(TaskClient client, string queue)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var found = (await client.ListQueuesAsync()).SingleOrDefault(q => q.Queue == queue);
            if (found is not null) return found;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{queue} was never listed");
            await Task.Delay(100);
        }
    }

    private List<string> Keys(string serviceId) =>
        [.. fixture.Redis.Server.Keys(pattern: $"{serviceId}*").Select(k => k.ToString()).Order(StringComparer.Ordinal)];
}
