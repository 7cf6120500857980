using System.Net;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The queue routes over real HTTP: every queue with its counts, a queue's tasks by state, pause and resume, purge, and
/// one dead letter's retry or delete, with 404 and 409 as problem details. Queues nobody serves hold tasks still.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class QueueApiTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Queues_ListsQueuesThatHeldATask_AndServedOnes_SortedWithTheirStats()
    {
        await silo.Client.SubmitAsync(new RecordTask("q"), "zz-unserved-listed");
        await silo.Client.SubmitAsync(new RecordTask("q"), "aa-unserved-listed");

        var queues = await PollAsync("/api/queues", q => q.EnumerateArray().Any(e => e.GetProperty("queue").GetString() == "api-misc"));

        var names = queues.EnumerateArray().Select(e => e.GetProperty("queue").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains("aa-unserved-listed", names);
        Assert.Contains("zz-unserved-listed", names);
        Assert.All(ApiSilo.Queues, q => Assert.Contains(q, names));
        var listed = queues.EnumerateArray().Single(e => e.GetProperty("queue").GetString() == "aa-unserved-listed");
        Assert.Equal(1, listed.GetProperty("stats").GetProperty("pendingByPriority")[(int)TaskPriority.Normal].GetInt64());
        Assert.Equal("aa-unserved-listed", listed.GetProperty("stats").GetProperty("queue").GetString());
    }

    [Fact]
    public async Task Tasks_ListsPendingByPriorityThenFifo_DelayedByDueTime_WithoutPayloads()
    {
        const string queue = "qa-list";
        var low = await silo.Client.SubmitAsync(new RecordTask("low"), queue, new TaskOptions { Priority = TaskPriority.Low });
        var first = await silo.Client.SubmitAsync(new RecordTask("first"), queue);
        var critical = await silo.Client.SubmitAsync(new RecordTask("critical"), queue, new TaskOptions { Priority = TaskPriority.Critical });
        var second = await silo.Client.SubmitAsync(new RecordTask("second"), queue);
        var later = await silo.Client.SubmitAsync(new RecordTask("later"), queue, new TaskOptions { Delay = TimeSpan.FromHours(2) });
        var sooner = await silo.Client.SubmitAsync(new RecordTask("sooner"), queue, new TaskOptions { Delay = TimeSpan.FromHours(1) });
        Assert.True(await silo.Client.CancelAsync(second));
        var third = await silo.Client.SubmitAsync(new RecordTask("third"), queue);

        var pending = await GetOkAsync($"/api/queues/{queue}/tasks?state=pending");
        Assert.Equal([critical, first, third, low], Ids(pending));
        Assert.All(pending.EnumerateArray(), t => Assert.Equal("Pending", t.GetProperty("state").GetString()));
        Assert.All(pending.EnumerateArray(), t => Assert.Equal(JsonValueKind.Null, t.GetProperty("payloadJson").ValueKind));
        Assert.Equal([critical, first], Ids(await GetOkAsync($"/api/queues/{queue}/tasks?state=PENDING&limit=2")));
        Assert.Equal([critical, first, third, low], Ids(await GetOkAsync($"/api/queues/{queue}/tasks")));

        var delayed = await GetOkAsync($"/api/queues/{queue}/tasks?state=delayed");
        Assert.Equal([sooner, later], Ids(delayed));
        Assert.True(delayed[0].GetProperty("notBefore").GetDateTimeOffset() < delayed[1].GetProperty("notBefore").GetDateTimeOffset());
        Assert.Empty(Ids(await GetOkAsync($"/api/queues/{queue}/tasks?state=running")));
    }

    [Fact]
    public async Task Tasks_ListsRunningTasks_WithWorkerAndStart()
    {
        const string queue = "api-misc";
        var id = await silo.Client.SubmitAsync(new RecordTask("long", DelayMilliseconds: 60_000), queue);
        try
        {
            var running = await PollAsync($"/api/queues/{queue}/tasks?state=running", r => r.GetArrayLength() == 1);
            Assert.Equal(id.ToString(), running[0].GetProperty("id").GetString());
            Assert.Equal("Running", running[0].GetProperty("state").GetString());
            Assert.False(string.IsNullOrEmpty(running[0].GetProperty("worker").GetString()));
            Assert.Equal(JsonValueKind.String, running[0].GetProperty("startedAt").ValueKind);
        }
        finally
        {
            await silo.Client.CancelAsync(id);
        }
    }

    [Theory]
    [InlineData("state=finished", "state")]
    [InlineData("state=succeeded", "state")]
    [InlineData("state=deadLettered", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=x", "limit")]
    public async Task Tasks_RefusesOtherStatesAndLimits_As400NamingTheField(string query, string field)
    {
        using var response = await silo.Http.GetAsync(new Uri($"/api/queues/qa-bad/tasks?{query}", UriKind.Relative));

        Assert.Equal(field, (await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task PauseAndResume_AnswerThePausedState_AndHoldWorkersOff()
    {
        const string queue = "api-effect";
        Assert.True((await PostOkAsync($"/api/queues/{queue}/pause")).GetProperty("paused").GetBoolean());
        Assert.True((await silo.Client.GetQueueStatsAsync(queue)).Paused);
        var held = await silo.Client.SubmitAsync(new RecordTask("held"), queue);
        Assert.Equal(TaskState.Pending, (await silo.Client.WaitAsync(held, TimeSpan.FromMilliseconds(300)).ContinueWith(_ => silo.Client.GetTaskAsync(held)).Unwrap())!.State);

        Assert.False((await PostOkAsync($"/api/queues/{queue}/resume")).GetProperty("paused").GetBoolean());

        Assert.Equal(TaskState.Succeeded, (await silo.Client.WaitAsync(held, Timeout)).State);
        Assert.False((await silo.Client.GetQueueStatsAsync(queue)).Paused);
    }

    [Fact]
    public async Task Purge_CancelsEveryPendingAndDelayedTask_OfOneNameWhenGiven_AndAnswersTheirWaiters()
    {
        const string queue = "qa-purge";
        var records = await silo.Client.SubmitBatchAsync(Enumerable.Range(0, 5).Select(i => new RecordTask($"r{i}")), queue);
        var delayed = await silo.Client.SubmitAsync(new RecordTask("delayed"), queue, new TaskOptions { Delay = TimeSpan.FromHours(1) });
        var failing = await silo.Client.SubmitAsync(new FailTask("kept"), queue);
        var waiter = silo.Client.WaitAsync(records[0], Timeout);

        Assert.Equal(6, (await PostOkAsync($"/api/queues/{queue}/purge?taskName=test.record")).GetProperty("purged").GetInt32());

        await Assert.ThrowsAsync<TaskCancelledException>(() => waiter);
        foreach (var id in records.Append(delayed)) Assert.Equal(TaskState.Cancelled, (await silo.Client.GetTaskAsync(id))!.State);
        Assert.Equal(TaskState.Pending, (await silo.Client.GetTaskAsync(failing))!.State);
        var stats = await silo.Client.GetQueueStatsAsync(queue);
        Assert.Equal(6, stats.Cancelled);
        Assert.Equal(1, stats.Pending);
        Assert.Equal(0, stats.Delayed);

        Assert.Equal(1, (await PostOkAsync($"/api/queues/{queue}/purge")).GetProperty("purged").GetInt32());
        Assert.Equal(0, (await PostOkAsync($"/api/queues/{queue}/purge")).GetProperty("purged").GetInt32());
        Assert.Empty(await silo.Client.ListTasksAsync(queue, TaskState.Pending));
        // A blank name (a form field left empty) is refused, not read as "every task" or "none".
        await silo.Client.SubmitAsync(new RecordTask("after"), queue);
        using (var blank = await PostAsync($"/api/queues/{queue}/purge?taskName=%20")) await ApiAssert.ProblemAsync(blank, HttpStatusCode.BadRequest);
        Assert.Equal(1, (await silo.Client.GetQueueStatsAsync(queue)).Pending);
        // So is one on the dead-letter verbs by name.
        using (var blank = await PostAsync($"/api/queues/{queue}/dead/retry?taskName=%20")) await ApiAssert.ProblemAsync(blank, HttpStatusCode.BadRequest);
        using (var blank = await silo.Http.DeleteAsync(new Uri($"/api/queues/{queue}/dead?taskName=%20", UriKind.Relative))) await ApiAssert.ProblemAsync(blank, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RetryAndDelete_OfOneDeadLetter_Answer200_404ForAnUnknownTask_409ForALiveOne()
    {
        const string queue = "api-batch";
        var none = new RetryPolicy { MaxRetries = 0 };
        var dead = await silo.Client.SubmitAsync(new FailTask("dead"), queue, new TaskOptions { Retry = none });
        var doomed = await silo.Client.SubmitAsync(new FailTask("doomed"), queue, new TaskOptions { Retry = none });
        await Assert.ThrowsAsync<TaskExecutionException>(() => silo.Client.WaitAsync(dead, Timeout));
        await Assert.ThrowsAsync<TaskExecutionException>(() => silo.Client.WaitAsync(doomed, Timeout));
        var live = await silo.Client.SubmitAsync(new RecordTask("live"), "qa-live");

        var unknown = new TaskId(queue, 0, 999_999);
        using (var response = await PostAsync($"/api/tasks/{unknown}/retry")) await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        using (var response = await silo.Http.DeleteAsync(new Uri($"/api/tasks/{unknown}", UriKind.Relative))) await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        using (var response = await PostAsync($"/api/tasks/{live}/retry")) await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        using (var response = await silo.Http.DeleteAsync(new Uri($"/api/tasks/{live}", UriKind.Relative))) await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(TaskState.Pending, (await silo.Client.GetTaskAsync(live))!.State);

        Assert.True((await PostOkAsync($"/api/tasks/{dead}/retry")).GetProperty("retried").GetBoolean());
        await Assert.ThrowsAsync<TaskExecutionException>(() => silo.Client.WaitAsync(dead, Timeout));
        Assert.Equal(2, (await silo.Client.GetTaskAsync(dead))!.Attempts);
        using (var deleted = await silo.Http.DeleteAsync(new Uri($"/api/tasks/{doomed}", UriKind.Relative)))
            Assert.True((await ApiAssert.OkAsync(deleted)).GetProperty("deleted").GetBoolean());
        Assert.Null(await silo.Client.GetTaskAsync(doomed));
        using (var again = await silo.Http.DeleteAsync(new Uri($"/api/tasks/{doomed}", UriKind.Relative))) await ApiAssert.ProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TaskDetail_CarriesThePayloadAsJson_WaitsDoNot()
    {
        var id = await silo.Client.SubmitAsync("test.record", """{"label":"with payload"}""", "api-options");

        var info = await GetOkAsync($"/api/tasks/{id}");

        Assert.Equal("with payload", JsonDocument.Parse(info.GetProperty("payloadJson").GetString()!).RootElement.GetProperty("label").GetString());
        Assert.Null((await silo.Client.WaitAsync(id, Timeout)).Payload);
        Assert.Contains("with payload", (await silo.Client.GetTaskAsync(id))!.PayloadJson, StringComparison.Ordinal);
    }

    private async Task<JsonElement> PostOkAsync(string path)
    {
        using var response = await PostAsync(path);
        return await ApiAssert.OkAsync(response);
    }

    private Task<HttpResponseMessage> PostAsync(string path) => silo.Http.PostAsync(new Uri(path, UriKind.Relative), null);

    private async Task<JsonElement> GetOkAsync(string path)
    {
        using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
        return await ApiAssert.OkAsync(response);
    }

    /// <summary>GETs until <paramref name="done"/> holds (what a worker does happens soon, not at once).</summary>
    private async Task<JsonElement> PollAsync(string path, Func<JsonElement, bool> done)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var body = await GetOkAsync(path);
            if (done(body) || clock.Elapsed > Timeout) return body;
            await Task.Delay(100);
        }
    }

    private static List<TaskId> Ids(JsonElement tasks) => [.. tasks.EnumerateArray().Select(t => TaskId.Parse(t.GetProperty("id").GetString()!))];
}
