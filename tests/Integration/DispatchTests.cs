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

    /// <summary>
    /// An idle partition loop parks its long poll without holding a slot: on a silo serving more partitions than
    /// MaxConcurrentTasks, a task on any of its queues starts at once, not when some parked lease times out.
    /// </summary>
    [Fact]
    public async Task AnIdleSilo_ServingMoreQueuesThanSlots_StartsEachSubmittedTaskWithoutWaitingForThePollingInterval()
    {
        string[] queues = ["dispatch-slots-a", "dispatch-slots-b", "dispatch-slots-c", "dispatch-slots-d"];
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, queues, concurrency: 2,
            configure: (_, settings) => settings.Worker.PollingInterval = TimeSpan.FromSeconds(20));
        await Task.Delay(500); // every loop either parks a lease or waits for a slot

        // One queue, one task at a time: whenever its loop has just given its slot back, it is the one left waiting.
        for (var i = 0; i < 4; i++)
        {
            var id = await cluster.Client.SubmitAsync(new RecordTask($"slot{i}"), queues[0]);
            Assert.Equal($"slot{i}", await cluster.Client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(5)));
        }
    }
}
