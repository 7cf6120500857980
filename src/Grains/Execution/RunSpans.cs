using System.Diagnostics;

namespace DistributedTaskQueue.Execution;

/// <summary>
/// The <c>dtq.run</c> span of one attempt (see <see cref="TaskTracing"/>): a child of the submitter's span when the task
/// carries a trace parent, with the attempt's outcome as its status. Nothing is allocated when nobody listens.
/// </summary>
internal static class RunSpans
{
    private static readonly ActivitySource Tracing = new(TaskTracing.SourceName);

    public static Activity? Start(LeasedTask task, string workerId)
    {
        if (!Tracing.HasListeners()) return null;
        // A malformed parent (only a hand-made submission could carry one; the owner refuses them) starts a new trace.
        ActivityContext.TryParse(task.TraceParent, null, out var parent);
        var span = Tracing.StartActivity("dtq.run", ActivityKind.Consumer, parent);
        if (span is null) return null;
        span.SetTag("messaging.system", "dtq");
        span.SetTag("messaging.destination.name", task.Id.Queue);
        span.SetTag("messaging.message.id", task.Id.ToString());
        span.SetTag("dtq.task", task.TaskName);
        span.SetTag("dtq.attempt", task.Attempt);
        span.SetTag("dtq.worker", workerId);
        return span;
    }

    public static void End(Activity? span, TaskCompletion completion)
    {
        if (span is null) return;
        switch (completion.Outcome)
        {
            case TaskOutcome.Succeeded:
                span.SetStatus(ActivityStatusCode.Ok);
                break;
            case TaskOutcome.Failed failed:
                span.SetStatus(ActivityStatusCode.Error, failed.Error.Message);
                span.SetTag("error.type", failed.Error.Type);
                span.SetTag("dtq.retryable", failed.Retryable);
                break;
            case TaskOutcome.Released:
                span.SetTag("dtq.released", true);
                break;
        }
    }
}
