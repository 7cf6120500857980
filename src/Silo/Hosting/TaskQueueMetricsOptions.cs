namespace DistributedTaskQueue;

/// <summary>OpenTelemetry export of the <c>DistributedTaskQueue</c> meter (section <c>TaskQueue:Metrics</c>).</summary>
public sealed class TaskQueueMetricsOptions
{
    /// <summary>Whether the silo exports metrics at all (true). Off, the instruments still exist for dotnet-counters.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Serve <c>/metrics</c> in Prometheus text format, behind the same access rules as <c>/api</c> (true).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// Push metrics (and traces) over OTLP to this endpoint, e.g. <c>http://otel-collector:4317</c>. Unset, the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable is used; with neither, nothing is pushed.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Also export the Orleans runtime's own meter (<c>Microsoft.Orleans</c>: messaging, activations, ...) (false).</summary>
    public bool IncludeOrleans { get; set; }
}
