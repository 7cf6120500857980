using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

[Collection(RedisGroup.Name)]
public sealed class DispatchTests(RedisFixture fixture)
{
    [Fact]
    public async Task ATaskSubmittedToAnIdleWorker_StartsWithoutWaitingForThePollingInterval()
    {
        const string queue = "dispatch-push";
        // A 20 s long poll: were dispatch polled, the task below could not finish within its 8 s wait.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [queue],
            configure: (_, settings) => settings.Worker.PollingInterval = TimeSpan.FromSeconds(20));
        var warmup = await cluster.Client.SubmitAsync(new RecordTask("warmup"), queue);
        await cluster.Client.WaitForResultAsync<string>(warmup, TimeSpan.FromSeconds(30));
        await Task.Delay(500); // let the worker park its next long poll on the idle queue

        var id = await cluster.Client.SubmitAsync(new RecordTask("pushed"), queue);

        Assert.Equal("pushed", await cluster.Client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(8)));
    }
}
