using DistributedTaskQueue.Tests.Support;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// Redis loses a partition's data under a running cluster (the negative control of the fault suite: nothing can keep
/// what Redis forgot). What the queue must still do: never hand an acknowledged id to another task, so a caller holding
/// an old id is told "not found", never another task's state or result.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class RedisDataLossTests(RedisFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AfterRedisLosesAPartitionsData_NoAcknowledgedIdIsHandedOutAgain()
    {
        const string queue = "dl-ids";
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], serviceId: serviceId);
        var before = await cluster.Client.SubmitBatchAsync(Enumerable.Range(0, 20).Select(i => new RecordTask($"before-{i}")).ToList(), queue);
        foreach (var id in before) await cluster.Client.WaitForResultAsync<string>(id, Timeout);

        var keys = fixture.Redis.Server.Keys(pattern: $"{serviceId}/*").ToArray();
        Assert.NotEmpty(keys);
        await fixture.Redis.Connection.GetDatabase().KeyDeleteAsync(keys);

        // The partition's next write finds its head gone (its ETag no longer matches), so it breaks and reloads from
        // what Redis holds now: nothing. The submit it refused is sent again by the client (same token) and lands.
        var after = new List<TaskId>();
        var refused = 0;
        using var deadline = new CancellationTokenSource(Timeout);
        while (after.Count < 20)
        {
            deadline.Token.ThrowIfCancellationRequested();
            try
            {
                after.Add(await cluster.Client.SubmitAsync(new RecordTask($"after-{after.Count}"), queue));
            }
            catch (TaskQueueUnavailableException)
            {
                refused++;
            }
        }
        output.WriteLine($"before: {before[0]}..{before[^1]}; after: {after[0]}..{after[^1]}; {refused} submits refused while the partition reloaded");

        Assert.Empty(after.Intersect(before));
        Assert.Equal(0, refused);
        foreach (var id in after) Assert.StartsWith("after-", await cluster.Client.WaitForResultAsync<string>(id, Timeout), StringComparison.Ordinal);
        // An old id names nothing now, rather than one of the new tasks.
        foreach (var id in before) Assert.Null(await cluster.Client.GetTaskAsync(id));
    }
}
