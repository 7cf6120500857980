using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

[Collection(RedisGroup.Name)]
public sealed class OrderingTests(RedisFixture fixture)
{
    [Fact]
    public async Task PendingTasks_StartByPriority_ThenFifo_WhenAWorkerArrives()
    {
        const string queue = "ord-prio";
        // The first silo serves nothing; the worker arrives with a second silo once everything is pending.
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], concurrency: 1,
            configure: (silo, settings) => settings.Worker.Queues = silo == "Silo_0" ? [] : [queue]);
        var submitted = new (string Label, TaskPriority Priority)[]
        {
            ("low-1", TaskPriority.Low), ("normal-1", TaskPriority.Normal), ("critical-1", TaskPriority.Critical),
            ("high-1", TaskPriority.High), ("normal-2", TaskPriority.Normal), ("low-2", TaskPriority.Low),
            ("critical-2", TaskPriority.Critical), ("high-2", TaskPriority.High), ("normal-3", TaskPriority.Normal),
        };
        var ids = new List<TaskId>();
        foreach (var (label, priority) in submitted)
            ids.Add(await cluster.Client.SubmitAsync(new RecordTask(label), queue, new TaskOptions { Priority = priority }));
        Assert.Empty(Executions.Of(queue));

        await cluster.Cluster.StartAdditionalSiloAsync();
        foreach (var id in ids) await cluster.Client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(30));

        Assert.Equal(
            ["critical-1", "critical-2", "high-1", "high-2", "normal-1", "normal-2", "normal-3", "low-1", "low-2"],
            Executions.Of(queue).Select(e => e.Label));
    }
}
