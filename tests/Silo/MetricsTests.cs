using System.Globalization;
using System.Net;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary><c>/metrics</c> over real HTTP: the task lifecycle counted by queue and task name, the queue gauges, the access rules.</summary>
[Collection(TelemetryGroup.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task AfterTasksRan_MetricsCountEachTransition_ByQueueAndTaskName()
    {
        await using var silo = await WebSilo.StartAsync(["metrics"]);
        var client = silo.Services.GetRequiredService<TaskClient>();
        var echo = await client.SubmitAsync(BuiltInTasks.Echo, """{"a":1}""", "metrics");
        await client.WaitAsync(echo, TimeSpan.FromSeconds(30));
        // dtq.sleep cannot read this payload: it fails, and with no retries it is dead-lettered.
        var failing = await client.SubmitAsync(BuiltInTasks.Sleep, """{"milliseconds":"x"}""", "metrics", new TaskOptions { Retry = RetryPolicy.None });
        await Assert.ThrowsAsync<TaskExecutionException>(() => client.WaitAsync(failing, TimeSpan.FromSeconds(30)));
        var delayed = await client.SubmitAsync(BuiltInTasks.NoOp, "null", "metrics", new TaskOptions { Delay = TimeSpan.FromHours(1), Priority = TaskPriority.High });
        Assert.True(await client.CancelAsync(await client.SubmitAsync(BuiltInTasks.NoOp, "null", "metrics", new TaskOptions { Delay = TimeSpan.FromHours(1) })));

        // Gauges are published once a second and scrapes are cached briefly: poll until they show the queue's state.
        var metrics = await ScrapeUntilAsync(silo, m => Value(m, "dtq_queue_delayed", "queue=\"metrics\"") == 1 && Value(m, "dtq_queue_dead_letters", "queue=\"metrics\"") == 1);

        Assert.Equal(1, Value(metrics, "dtq_tasks_submitted_total", "queue=\"metrics\"", "task=\"dtq.echo\""));
        Assert.Equal(1, Value(metrics, "dtq_tasks_started_total", "queue=\"metrics\"", "task=\"dtq.echo\""));
        Assert.Equal(1, Value(metrics, "dtq_tasks_succeeded_total", "queue=\"metrics\"", "task=\"dtq.echo\""));
        Assert.Equal(1, Value(metrics, "dtq_tasks_failed_total", "queue=\"metrics\"", "task=\"dtq.sleep\""));
        Assert.Equal(1, Value(metrics, "dtq_tasks_dead_lettered_total", "queue=\"metrics\"", "task=\"dtq.sleep\""));
        Assert.Null(Value(metrics, "dtq_tasks_retried_total", "queue=\"metrics\"", "task=\"dtq.sleep\""));
        Assert.Equal(2, Value(metrics, "dtq_tasks_submitted_total", "queue=\"metrics\"", "task=\"dtq.noop\""));
        Assert.Equal(1, Value(metrics, "dtq_tasks_cancelled_total", "queue=\"metrics\"", "task=\"dtq.noop\""));
        Assert.Equal(1, Value(metrics, "dtq_task_wait_duration_milliseconds_count", "queue=\"metrics\"", "task=\"dtq.echo\""));
        Assert.Equal(1, Value(metrics, "dtq_task_run_duration_milliseconds_count", "queue=\"metrics\"", "task=\"dtq.echo\""));
        Assert.Equal(1, Value(metrics, "dtq_worker_attempts_total", "queue=\"metrics\"", "outcome=\"succeeded\""));
        Assert.Equal(1, Value(metrics, "dtq_worker_attempts_total", "queue=\"metrics\"", "outcome=\"failed\""));
        Assert.Null(Value(metrics, "dtq_worker_attempts_total", "queue=\"metrics\"", "outcome=\"released\""));
        Assert.Equal(2, Value(metrics, "dtq_worker_attempt_duration_milliseconds_count", "queue=\"metrics\""));
        Assert.Equal(0, Value(metrics, "dtq_queue_pending", "queue=\"metrics\"", "priority=\"high\""));
        Assert.Equal(0, Value(metrics, "dtq_queue_running", "queue=\"metrics\""));
        Assert.Equal(0, Value(metrics, "dtq_queue_oldest_pending_age_seconds", "queue=\"metrics\""));
        Assert.Equal(TaskState.Scheduled, (await client.GetTaskAsync(delayed))!.State);
    }

    [Fact]
    public async Task APausedQueue_ShowsItsPendingTasks_AndTheirAge()
    {
        await using var silo = await WebSilo.StartAsync(["aging"]);
        var client = silo.Services.GetRequiredService<TaskClient>();
        await client.PauseQueueAsync("aging");
        await client.SubmitAsync(BuiltInTasks.NoOp, "null", "aging", new TaskOptions { Priority = TaskPriority.Critical });
        await client.SubmitAsync(BuiltInTasks.NoOp, "null", "aging");

        var metrics = await ScrapeUntilAsync(silo, m => Value(m, "dtq_queue_oldest_pending_age_seconds", "queue=\"aging\"") >= 1);
        Assert.Equal(1, Value(metrics, "dtq_queue_pending", "queue=\"aging\"", "priority=\"critical\""));
        Assert.Equal(1, Value(metrics, "dtq_queue_pending", "queue=\"aging\"", "priority=\"normal\""));
        Assert.Equal(0, Value(metrics, "dtq_queue_pending", "queue=\"aging\"", "priority=\"low\""));
    }

    [Fact]
    public async Task Metrics_AreForLoopbackOrAKey_AndGoneWhenTurnedOff()
    {
        await using (var silo = await WebSilo.StartAsync(["metrics-access"]))
        {
            using var remote = await silo.SendAsync(HttpMethod.Get, TaskQueueTelemetry.MetricsPath, remote: WebSilo.Remote);
            Assert.Equal(HttpStatusCode.Unauthorized, remote.StatusCode);
            using var local = await silo.SendAsync(HttpMethod.Get, TaskQueueTelemetry.MetricsPath);
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }
        await using (var silo = await WebSilo.StartAsync(["metrics-off"], s => s.Metrics.Enabled = false))
        {
            using var off = await silo.SendAsync(HttpMethod.Get, TaskQueueTelemetry.MetricsPath);
            Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
        }
    }

    private static async Task<string> ScrapeUntilAsync(WebSilo silo, Func<string, bool> done)
    {
        var text = "";
        for (var i = 0; i < 100; i++)
        {
            using var response = await silo.SendAsync(HttpMethod.Get, TaskQueueTelemetry.MetricsPath);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            if (done(text)) return text;
            await Task.Delay(200);
        }
        Assert.Fail($"the metrics never showed what the test waited for:\n{text}");
        return text;
    }

    /// <summary>The value of the sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>; null if none.</summary>
    private static double? Value(string scrape, string metric, params string[] labels)
    {
        foreach (var line in scrape.Split('\n'))
        {
            if (!line.StartsWith(metric + "{", StringComparison.Ordinal)) continue;
            var close = line.LastIndexOf('}');
            if (close < 0 || !labels.All(l => line.AsSpan(0, close).Contains(l, StringComparison.Ordinal))) continue;
            var value = line[(close + 1)..].Trim().Split(' ')[0];
            return double.Parse(value, CultureInfo.InvariantCulture);
        }
        return null;
    }
}
