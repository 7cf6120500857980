using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The silo's JSON API over real HTTP (Kestrel on a loopback port, an embedded silo behind it): what it accepts,
/// that every option reaches the task, and that every refusal is problem details naming what is wrong.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class TaskQueueApiTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("\"High\"", TaskPriority.High)]
    [InlineData("\"critical\"", TaskPriority.Critical)]
    [InlineData("\"LOW\"", TaskPriority.Low)]
    [InlineData("0", TaskPriority.Low)]
    [InlineData("2", TaskPriority.High)]
    [InlineData("3", TaskPriority.Critical)]
    [InlineData("null", TaskPriority.Normal)]
    public async Task Submit_TakesAPriorityByNameInAnyCase_OrByNumber(string priority, TaskPriority expected)
    {
        var id = await SubmitAsync("api-priority", $$"""{"taskName":"test.record","payload":{"label":"p"},"priority":{{priority}}}""");

        var info = await GetTaskAsync(id);

        Assert.Equal(expected.ToString(), info.GetProperty("priority").GetString());
        Assert.Equal(expected, (await silo.Client.WaitAsync(id, Timeout)).Priority);
    }

    [Fact]
    public async Task APriorityOutOfRange_IsRefusedAt_Once_AsProblemDetailsNamingPriority_AndTheQueueWorksAfter()
    {
        const string queue = "api-range";
        var clock = Stopwatch.StartNew();
        using var refused = await PostAsync($"/api/queues/{queue}/tasks", """{"taskName":"dtq.echo","payload":{"a":1},"priority":7}""");
        var elapsed = clock.Elapsed;

        var problem = await ApiAssert.ProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the refusal took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("Priority", problem.GetProperty("field").GetString());
        Assert.Contains("7", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(silo.Submissions.All, s => s.Priority == (TaskPriority)7);

        foreach (var bad in new[] { "\"Urgent\"", "2.5", "\"2\"", "{}" })
        {
            using var alsoRefused = await PostAsync($"/api/queues/{queue}/tasks", $$"""{"taskName":"dtq.echo","priority":{{bad}}}""");
            Assert.Equal("Priority", (await ApiAssert.ProblemAsync(alsoRefused, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        }

        using var stats = await silo.Http.GetAsync(new Uri($"/api/queues/{queue}/stats", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        var id = await SubmitAsync(queue, """{"taskName":"dtq.echo","payload":{"a":1},"priority":2}""");
        Assert.Equal("""{"a":1}""", (await silo.Client.WaitAsync(id, Timeout)).ResultJson);
    }

    [Theory]
    [InlineData("{\"taskName\": \"dtq.echo\", ", "Malformed request body", null)]
    [InlineData("not json", "Malformed request body", null)]
    [InlineData("", "Missing request body", null)]
    [InlineData("null", "Missing request body", null)]
    [InlineData("[1]", "Malformed request body", null)]
    [InlineData("{\"taskName\":\"dtq.echo\",\"timeout\":\"soon\"}", "Malformed request body", "Timeout")]
    [InlineData("{\"taskName\":\"dtq.echo\",\"retry\":{\"maxDelay\":5}}", "Malformed request body", "RetryPolicy.MaxDelay")]
    [InlineData("{\"taskName\":\"dtq.echo\",\"prority\":\"High\"}", "Malformed request body", null)]
    [InlineData("{\"payload\":1}", "Invalid task", "TaskName")]
    [InlineData("{\"taskName\":\"dtq.echo\",\"retry\":{\"maxRetries\":-1}}", "Invalid task", "RetryPolicy.MaxRetries")]
    [InlineData("{\"taskName\":\"dtq.echo\",\"timeout\":\"-00:00:01\"}", "Invalid task", "Timeout")]
    [InlineData("{\"taskName\":\"dtq.echo\",\"idempotencyKey\":\"\"}", "Invalid task", "IdempotencyKey")]
    [InlineData("{\"taskName\":\"nobody.handles.this\"}", "Invalid task", null)]
    public async Task ABadBody_IsA400ProblemSayingWhatIsWrong(string body, string title, string? field)
    {
        using var response = await PostAsync("/api/queues/api-body/tasks", body);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(0, (await silo.Client.GetQueueStatsAsync("api-body")).Pending);
    }

    [Fact]
    public async Task AnUnknownPropertyIsRefused_NamingIt()
    {
        using var response = await PostAsync("/api/queues/api-body/tasks", """{"taskName":"dtq.echo","prority":"High"}""");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("prority", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTasks_Are404_BadIdsAndQueueNames_Are400_AllProblemDetails()
    {
        using (var unknown = await silo.Http.GetAsync(new Uri("/api/tasks/api-misc:0:987654", UriKind.Relative)))
            await ApiAssert.ProblemAsync(unknown, HttpStatusCode.NotFound);
        // A partition past PartitionsPerQueue holds nothing.
        using (var pastPartitions = await silo.Http.GetAsync(new Uri("/api/tasks/api-misc:5:1", UriKind.Relative)))
            await ApiAssert.ProblemAsync(pastPartitions, HttpStatusCode.NotFound);
        using (var cancelUnknown = await PostAsync("/api/tasks/api-misc:0:987654/cancel", ""))
            await ApiAssert.ProblemAsync(cancelUnknown, HttpStatusCode.NotFound);
        using (var malformed = await silo.Http.GetAsync(new Uri("/api/tasks/not-an-id", UriKind.Relative)))
            Assert.Equal("Id", (await ApiAssert.ProblemAsync(malformed, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        foreach (var path in new[] { "/api/queues/bad%20name/stats", "/api/queues/-x/dead", "/api/queues/bad%21/tasks" })
        {
            using var response = path.EndsWith("/tasks", StringComparison.Ordinal)
                ? await PostAsync(path, """{"taskName":"dtq.echo"}""")
                : await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal("Queue", (await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        }
        using (var badLimit = await silo.Http.GetAsync(new Uri("/api/queues/api-misc/dead?limit=lots", UriKind.Relative)))
            Assert.Equal("limit", (await ApiAssert.ProblemAsync(badLimit, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task EveryOptionField_ReachesTheSubmission()
    {
        var key = "opt-" + Guid.NewGuid().ToString("N");
        var now = TimeProvider.System.GetUtcNow();
        var notBefore = new DateTimeOffset(now.Year + 1, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var expiresAt = notBefore.AddDays(1);
        var id = await SubmitAsync("api-options", $$"""
            {
              "taskName": "test.record",
              "payload": {"label": "options"},
              "priority": "High",
              "idempotencyKey": "{{key}}",
              "notBefore": "{{notBefore:O}}",
              "timeout": "00:02:30",
              "expiresAt": "{{expiresAt:O}}",
              "resultTtl": "2.00:00:00",
              "retry": {"maxRetries": 7, "retryDelay": "00:00:03", "exponentialBackoff": false, "maxDelay": "00:01:00", "jitter": 0.25}
            }
            """);

        var submitted = Assert.Single(silo.Submissions.All, s => s.IdempotencyKey == key);
        Assert.Equal("test.record", submitted.TaskName);
        Assert.Equal("""{"label":"options"}""", Encoding.UTF8.GetString(submitted.Payload));
        Assert.Equal(TaskPriority.High, submitted.Priority);
        Assert.Equal(notBefore, submitted.NotBefore);
        Assert.Equal(TimeSpan.FromSeconds(150), submitted.Timeout);
        Assert.Equal(expiresAt, submitted.ExpiresAt);
        Assert.Equal(TimeSpan.FromDays(2), submitted.ResultTtl);
        Assert.Equal(new RetryPolicy { MaxRetries = 7, RetryDelay = TimeSpan.FromSeconds(3), ExponentialBackoff = false, MaxDelay = TimeSpan.FromMinutes(1), Jitter = 0.25 }, submitted.Retry);
        // And the task shows them.
        var info = await GetTaskAsync(id);
        Assert.Equal("Scheduled", info.GetProperty("state").GetString());
        Assert.Equal(notBefore, info.GetProperty("notBefore").GetDateTimeOffset());
        Assert.Equal("High", info.GetProperty("priority").GetString());
    }

    [Fact]
    public async Task ADelay_AndAPartialRetry_FillInFromNowAndTheQueueDefaults()
    {
        var key = "delay-" + Guid.NewGuid().ToString("N");
        var before = TimeProvider.System.GetUtcNow();
        await SubmitAsync("api-options", $$$"""{"taskName":"test.record","payload":{"label":"d"},"idempotencyKey":"{{{key}}}","delay":"01:00:00","retry":{"maxRetries":0}}""");
        var after = TimeProvider.System.GetUtcNow();

        var submitted = Assert.Single(silo.Submissions.All, s => s.IdempotencyKey == key);
        Assert.InRange(submitted.NotBefore!.Value, before.AddHours(1), after.AddHours(1));
        Assert.Equal(silo.Client.Options.DefaultRetry with { MaxRetries = 0 }, submitted.Retry);
        Assert.Equal(TaskPriority.Normal, submitted.Priority);
        Assert.Null(submitted.Timeout);
    }

    [Fact]
    public async Task Options_TakeEffect_IdempotencyKeyTimeoutRetryAndDelay()
    {
        const string queue = "api-effect";
        var key = "once-" + Guid.NewGuid().ToString("N");
        var first = await SubmitAsync(queue, $$"""{"taskName":"dtq.echo","payload":1,"idempotencyKey":"{{key}}"}""");
        Assert.Equal(first, await SubmitAsync(queue, $$"""{"taskName":"dtq.echo","payload":2,"idempotencyKey":"{{key}}"}"""));

        var slow = await SubmitAsync(queue, """{"taskName":"dtq.sleep","payload":{"milliseconds":20000},"timeout":"00:00:00.300","retry":{"maxRetries":0}}""");
        var failing = await SubmitAsync(queue, """{"taskName":"test.fail","payload":{"message":"no"},"retry":{"maxRetries":1,"retryDelay":"00:00:00.100"}}""");
        var delayed = await SubmitAsync(queue, """{"taskName":"dtq.echo","payload":3,"delay":"00:00:01"}""");
        Assert.Equal("Scheduled", (await GetTaskAsync(delayed)).GetProperty("state").GetString());

        var timedOut = await Assert.ThrowsAsync<TaskExecutionException>(() => silo.Client.WaitAsync(slow, Timeout));
        Assert.Equal(1, (await silo.Client.GetTaskAsync(slow))!.Attempts);
        Assert.Contains("timeout", timedOut.Error?.Type + timedOut.Error?.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<TaskExecutionException>(() => silo.Client.WaitAsync(failing, Timeout));
        Assert.Equal(2, (await silo.Client.GetTaskAsync(failing))!.Attempts);
        Assert.Equal("3", (await silo.Client.WaitAsync(delayed, Timeout)).ResultJson);
    }

    [Fact]
    public async Task TheBatchRoute_SubmitsEachItemWithItsOwnOptions_InOrder_OrRefusesTheWholeBatchNamingTheItem()
    {
        const string queue = "api-batch";
        using var refused = await PostAsync($"/api/queues/{queue}/tasks/batch",
            """[{"taskName":"dtq.echo","payload":1},{"taskName":"dtq.echo","payload":2,"priority":9}]""");
        var problem = await ApiAssert.ProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.Equal("Priority", problem.GetProperty("field").GetString());
        Assert.Contains("Batch item 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await silo.Client.GetQueueStatsAsync(queue)).Pending + (await silo.Client.GetQueueStatsAsync(queue)).Succeeded);

        using var accepted = await PostAsync($"/api/queues/{queue}/tasks/batch", """
            [
              {"taskName": "dtq.echo", "payload": "a", "priority": "Low"},
              {"taskName": "test.record", "payload": {"label": "b"}, "priority": "Critical", "timeout": "00:00:10"},
              {"taskName": "dtq.echo", "payload": "c"}
            ]
            """);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var ids = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("ids")
            .EnumerateArray().Select(i => TaskId.Parse(i.GetString()!)).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal("\"a\"", (await silo.Client.WaitAsync(ids[0], Timeout)).ResultJson);
        var second = await silo.Client.WaitAsync(ids[1], Timeout);
        Assert.Equal(("test.record", TaskPriority.Critical), (second.TaskName, second.Priority));
        Assert.Equal(TaskPriority.Normal, (await silo.Client.WaitAsync(ids[2], Timeout)).Priority);

        using var notAList = await PostAsync($"/api/queues/{queue}/tasks/batch", """{"taskName":"dtq.echo"}""");
        await ApiAssert.ProblemAsync(notAList, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CancelAndDeadLetterRoutes_AnswerJson()
    {
        const string queue = "api-misc";
        var id = await SubmitAsync(queue, """{"taskName":"test.fail","payload":{"message":"dead"},"retry":{"maxRetries":0}}""");
        await Assert.ThrowsAsync<TaskExecutionException>(() => silo.Client.WaitAsync(id, Timeout));

        using var dead = await silo.Http.GetAsync(new Uri($"/api/queues/{queue}/dead?limit=5", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, dead.StatusCode);
        Assert.Contains(JsonDocument.Parse(await dead.Content.ReadAsStringAsync()).RootElement.EnumerateArray(), t => t.GetProperty("id").GetString() == id.ToString());
        using var cancel = await PostAsync($"/api/tasks/{id}/cancel", "");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.False(JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement.GetProperty("cancelled").GetBoolean());
        using var purge = await silo.Http.DeleteAsync(new Uri($"/api/queues/{queue}/dead", UriKind.Relative));
        Assert.True(JsonDocument.Parse(await purge.Content.ReadAsStringAsync()).RootElement.GetProperty("purged").GetInt32() >= 1);
    }

    private async Task<TaskId> SubmitAsync(string queue, string body)
    {
        using var response = await PostAsync($"/api/queues/{queue}/tasks", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        var id = TaskId.Parse(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!);
        Assert.Equal($"/api/tasks/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    private async Task<JsonElement> GetTaskAsync(TaskId id)
    {
        using var response = await silo.Http.GetAsync(new Uri($"/api/tasks/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await silo.Http.PostAsync(new Uri(path, UriKind.Relative), content);
    }
}
