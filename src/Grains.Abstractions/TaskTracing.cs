namespace DistributedTaskQueue;

/// <summary>
/// Traces: a submit is a <c>dtq.submit</c> span (Producer) on the client; the task carries its W3C <c>traceparent</c>;
/// each attempt is a <c>dtq.run</c> span (Consumer) on the silo that runs it, a child of the submit, so a handler's own
/// spans (HTTP calls, database) sit under the request that submitted the task. Listen to <see cref="SourceName"/>.
/// </summary>
public static class TaskTracing
{
    /// <summary>The ActivitySource name of both spans (add it to an OpenTelemetry tracer provider).</summary>
    public const string SourceName = "DistributedTaskQueue";

    /// <summary>Longest trace parent a task carries: a W3C traceparent is 55 characters.</summary>
    public const int MaxTraceParentLength = 128;
}
