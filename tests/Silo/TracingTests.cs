using System.Collections.Concurrent;
using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>A trace links a submit to its execution: each attempt's span is a child of the submit's, in the submitter's trace.</summary>
[Collection(TelemetryGroup.Name)]
public sealed class TracingTests
{
    [Fact]
    public async Task EachAttemptsSpan_IsAChildOfTheSubmit_InTheCallersTrace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is TaskTracing.SourceName or "test.request",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("test.request");
        await using var silo = await WebSilo.StartAsync(["traced"]);
        var client = silo.Services.GetRequiredService<TaskClient>();

        TaskId id, retried;
        ActivityTraceId trace;
        using (var request = requests.StartActivity("request"))
        {
            trace = request!.TraceId;
            id = await client.SubmitAsync(BuiltInTasks.Echo, "1", "traced");
            // Fails once (unreadable payload), runs again: two attempts, both children of the one submit.
            retried = await client.SubmitAsync(BuiltInTasks.Sleep, """{"milliseconds":"x"}""", "traced",
                new TaskOptions { Retry = new RetryPolicy { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10), Jitter = 0 } });
        }
        await client.WaitAsync(id, TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<TaskExecutionException>(() => client.WaitAsync(retried, TimeSpan.FromSeconds(30)));

        // The listener hears every test in this process: only this trace counts.
        var submits = spans.Where(s => s.OperationName == "dtq.submit" && s.TraceId == trace).ToList();
        Assert.Equal(2, submits.Count);
        Assert.All(submits, s => Assert.Equal(trace, s.TraceId));
        Assert.All(submits, s => Assert.Equal(ActivityKind.Producer, s.Kind));
        var runs = await RunsOfAsync(spans, 3);
        var echoRun = Assert.Single(runs, r => (string?)r.GetTagItem("messaging.message.id") == id.ToString());
        Assert.Equal(trace, echoRun.TraceId);
        Assert.Equal(submits.Single(s => (string?)s.GetTagItem("dtq.task") == BuiltInTasks.Echo).SpanId, echoRun.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Ok, echoRun.Status);
        var failedRuns = runs.Where(r => (string?)r.GetTagItem("messaging.message.id") == retried.ToString()).OrderBy(r => (int)r.GetTagItem("dtq.attempt")!).ToList();
        Assert.Equal(2, failedRuns.Count);
        Assert.All(failedRuns, r => Assert.Equal(submits.Single(s => (string?)s.GetTagItem("dtq.task") == BuiltInTasks.Sleep).SpanId, r.ParentSpanId));
        Assert.All(failedRuns, r => Assert.Equal(ActivityStatusCode.Error, r.Status));
    }

    /// <summary>An attempt's span stops just after its completion is sent: wait for it briefly.</summary>
    private static async Task<List<Activity>> RunsOfAsync(ConcurrentQueue<Activity> spans, int count)
    {
        for (var i = 0; i < 100 && spans.Count(s => s.OperationName == "dtq.run") < count; i++) await Task.Delay(50);
        return spans.Where(s => s.OperationName == "dtq.run").ToList();
    }
}
