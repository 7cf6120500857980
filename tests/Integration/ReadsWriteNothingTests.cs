using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Reads never create state (invariant 11): looking up tasks, stats, dead letters or waiting on queues that never held a
/// task answers without writing a single Redis key, even though each call activates a partition.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ReadsWriteNothingTests(RedisFixture fixture)
{
    [Fact]
    public async Task ReadsOnFiftyNeverUsedQueues_AnswerEmpty_AndLeaveNoKeyInRedis()
    {
        var serviceId = "reads-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["reads-served"], serviceId: serviceId);
        var before = Keys(serviceId);

        for (var i = 0; i < 50; i++)
        {
            var queue = $"never-used-{i}";
            Assert.Null(await cluster.Client.GetTaskAsync(new TaskId(queue, 0, i)));
            Assert.Equal(0, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);
            Assert.Empty(await cluster.Client.ListDeadLettersAsync(queue));
            Assert.False(await cluster.Client.CancelAsync(new TaskId(queue, 0, 0)));
            Assert.Equal(0, await cluster.Client.PurgeDeadLettersAsync(queue));
            Assert.Equal(0, await cluster.Client.RetryDeadLettersAsync(queue));
        }

        Assert.Equal(before, Keys(serviceId));
    }

    private List<string> Keys(string serviceId) =>
        [.. fixture.Redis.Server.Keys(pattern: $"{serviceId}*").Select(k => k.ToString()).Order(StringComparer.Ordinal)];
}
