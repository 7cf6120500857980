using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A pending listing is the order tasks will be served in. A delayed task joins the back of its line when it comes due,
/// though it was submitted before the tasks already waiting there: the listing must not put it first by submit time.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PendingListingOrderTests(RedisFixture fixture)
{
    [Fact]
    public async Task ATaskThatCameDue_IsListedBehindTheTasksAheadOfItInLine()
    {
        const string queue = "list-order";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: Guid.NewGuid().ToString("N"));
        var client = cluster.Client;
        var late = await client.SubmitAsync(new RecordTask("late"), queue, new TaskOptions { Delay = TimeSpan.FromSeconds(1) });
        var first = await client.SubmitAsync(new RecordTask("first"), queue);
        var second = await client.SubmitAsync(new RecordTask("second"), queue);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await client.GetQueueStatsAsync(queue)).Delayed > 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
        Assert.Equal(3, (await client.GetQueueStatsAsync(queue)).Pending);

        var pending = await client.ListTasksAsync(queue, TaskState.Pending);

        Assert.Equal([first, second, late], pending.Select(t => t.Id));
    }
}
