using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

[Collection(RedisGroup.Name)]
public sealed class LeaseTests(RedisFixture fixture)
{
    [Fact]
    public async Task ATaskRunningLongerThanItsLease_IsRenewed_AndRunsOnce()
    {
        const string queue = "lease-long";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue], configure: (_, settings) =>
        {
            settings.Partitions.LeaseDuration = TimeSpan.FromSeconds(1);
            settings.Worker.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
        });

        var id = await cluster.Client.SubmitAsync(new RecordTask("long", DelayMilliseconds: 3500), queue);

        Assert.Equal("long", await cluster.Client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(30)));
        Assert.Single(Executions.Of(queue));
        Assert.Equal(1, (await cluster.Client.GetTaskAsync(id))!.Attempts);
    }
}
