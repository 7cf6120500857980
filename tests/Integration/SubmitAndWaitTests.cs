using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>Submit, batch, wait, status and statistics through a real cluster on real Redis.</summary>
[Collection(RedisGroup.Name)]
public sealed class SubmitAndWaitTests(RedisFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private TaskQueueCluster _cluster = null!;

    private TaskClient Client => _cluster.Client;

    public async Task InitializeAsync() =>
        _cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["sw-batch", "sw-mixed", "sw-wait", "sw-stats", "sw-timeout"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task SubmitBatch_ReturnsIdsInOrder_AndEveryTaskCompletes()
    {
        var tasks = Enumerable.Range(0, 300).Select(i => new RecordTask($"b{i}")).ToList();

        var ids = await Client.SubmitBatchAsync(tasks, "sw-batch");

        Assert.Equal(300, ids.Count);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => ids[0].Sequence + i), ids.Select(id => id.Sequence));
        var results = await Task.WhenAll(ids.Select(id => Client.WaitForResultAsync<string>(id, Timeout)));
        Assert.Equal(tasks.Select(t => t.Label), results);
        Assert.Equal(300, Executions.Of("sw-batch").Count);
    }

    [Fact]
    public async Task SubmitBatch_ByTaskName_WithJsonPayloads_RunsEach()
    {
        var ids = await Client.SubmitBatchAsync("test.record", ["{\"label\":\"j1\"}", "{\"label\":\"j2\"}"], "sw-batch");

        var results = await Task.WhenAll(ids.Select(id => Client.WaitForResultAsync<string>(id, Timeout)));
        Assert.Equal("j1", results[0]);
        Assert.Equal("j2", results[1]);
        Assert.Equal(ids[0].Sequence + 1, ids[1].Sequence);
    }

    [Fact]
    public async Task SubmitBatch_WithPriorities_StoresEachTasksPriority()
    {
        var ids = await Client.SubmitBatchAsync([(new RecordTask("hi"), TaskPriority.High), (new RecordTask("lo"), TaskPriority.Low)], "sw-mixed");

        await Task.WhenAll(ids.Select(id => Client.WaitForResultAsync<string>(id, Timeout)));
        Assert.Equal(TaskPriority.High, (await Client.GetTaskAsync(ids[0]))!.Priority);
        Assert.Equal(TaskPriority.Low, (await Client.GetTaskAsync(ids[1]))!.Priority);
    }

    [Fact]
    public async Task WaitForResult_ReturnsTheHandlersResult()
    {
        var id = await Client.SubmitAsync(new RecordTask("hello"), "sw-wait");

        Assert.Equal("hello", await Client.WaitForResultAsync<string>(id, Timeout));
        var info = await Client.GetTaskAsync(id);
        Assert.NotNull(info);
        Assert.Equal(TaskState.Succeeded, info.State);
        Assert.Equal(1, info.Attempts);
        Assert.Equal("test.record", info.TaskName);
        Assert.True(info.StartedAt >= info.EnqueuedAt && info.FinishedAt >= info.StartedAt);
    }

    [Fact]
    public async Task WaitForResult_ThrowsTaskExecutionException_WithTheHandlersError()
    {
        var id = await Client.SubmitAsync(new FailTask("disk full"), "sw-wait", new TaskOptions { Retry = RetryPolicy.None });

        var error = await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(id, Timeout));

        Assert.Equal("disk full", error.Error?.Message);
        Assert.Contains("disk full", error.Message);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.Error?.Type);
        Assert.Equal(TaskState.DeadLettered, (await Client.GetTaskAsync(id))!.State);
    }

    [Fact]
    public async Task WaitForResult_ThrowsTaskTimeoutException_WhenTheTaskOutlastsTheWait()
    {
        var id = await Client.SubmitAsync(new RecordTask("slow", DelayMilliseconds: 3000), "sw-timeout");

        await Assert.ThrowsAsync<TaskTimeoutException>(() => Client.WaitForResultAsync<string>(id, TimeSpan.FromMilliseconds(300)));

        // The task itself goes on and finishes.
        Assert.Equal("slow", await Client.WaitForResultAsync<string>(id, Timeout));
    }

    [Fact]
    public async Task StatusAndStats_AreExact_AfterAKnownSequence()
    {
        const string queue = "sw-stats";
        await Client.PauseQueueAsync(queue);
        var normal = await Client.SubmitBatchAsync([new RecordTask("n1"), new RecordTask("n2"), new RecordTask("n3")], queue);
        var high = await Client.SubmitBatchAsync([new RecordTask("h1"), new RecordTask("h2")], queue, new TaskOptions { Priority = TaskPriority.High });
        var low = await Client.SubmitAsync(new RecordTask("l1"), queue, new TaskOptions { Priority = TaskPriority.Low });
        var failing = await Client.SubmitAsync(new FailTask("nope"), queue, new TaskOptions { Retry = RetryPolicy.None, Priority = TaskPriority.Critical });
        var delayed = await Client.SubmitAsync(new RecordTask("later"), queue, new TaskOptions { Delay = TimeSpan.FromHours(1) });

        var paused = await Client.GetQueueStatsAsync(queue);
        Assert.True(paused.Paused);
        Assert.Equal([1, 3, 2, 1], paused.PendingByPriority);
        Assert.Equal(1, paused.Delayed);
        Assert.Equal(0, paused.Running);
        Assert.Equal(0, paused.Succeeded);
        Assert.Equal(TaskState.Pending, (await Client.GetTaskAsync(low))!.State);
        Assert.Equal(TaskState.Scheduled, (await Client.GetTaskAsync(delayed))!.State);

        await Client.ResumeQueueAsync(queue);
        foreach (var id in normal.Concat(high).Append(low)) await Client.WaitForResultAsync<string>(id, Timeout);
        await Assert.ThrowsAsync<TaskExecutionException>(() => Client.WaitForResultAsync<string>(failing, Timeout));

        var done = await Client.GetQueueStatsAsync(queue);
        Assert.False(done.Paused);
        Assert.Equal([0, 0, 0, 0], done.PendingByPriority);
        Assert.Equal(1, done.Delayed);
        Assert.Equal(0, done.Running);
        Assert.Equal(6, done.Succeeded);
        Assert.Equal(1, done.Failed);
        Assert.Equal(1, done.DeadLettered);
        Assert.Equal(0, done.Cancelled);
    }

    [Fact]
    public async Task BadInput_IsRefusedWithInvalidTaskException_AndNothingIsEnqueued()
    {
        await Assert.ThrowsAsync<InvalidTaskException>(() => Client.SubmitAsync(new RecordTask("x"), "bad queue"));
        var huge = new RecordTask(new string('x', 300 * 1024));
        var tooLarge = await Assert.ThrowsAsync<InvalidTaskException>(() => Client.SubmitAsync(huge, "sw-wait"));
        Assert.Contains("over the limit", tooLarge.Message);

        // The silo refuses on its own too, whatever the client checked.
        var partition = _cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey("sw-wait", 0));
        var before = await partition.GetStatsAsync();
        var direct = new TaskSubmission { TaskName = "test.record", Payload = new byte[300 * 1024] };
        await Assert.ThrowsAsync<InvalidTaskException>(() => partition.SubmitAsync([new TaskSubmission { TaskName = "ok", Payload = "{}"u8.ToArray() }, direct]));
        var after = await partition.GetStatsAsync();
        Assert.Equal(before.Pending + before.Succeeded + before.Running, after.Pending + after.Succeeded + after.Running);
    }

    [Fact]
    public async Task GetTask_ReturnsNull_ForAnIdNeverIssued()
    {
        Assert.Null(await Client.GetTaskAsync(new TaskId("sw-wait", 0, 999_999)));
        await Assert.ThrowsAsync<UnknownTaskException>(() => Client.WaitForResultAsync<string>(new TaskId("sw-wait", 0, 999_999), Timeout));
    }
}
