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
