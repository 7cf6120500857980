using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DistributedTaskQueue;

/// <summary>
/// OpenTelemetry for a task-queue silo: the <c>DistributedTaskQueue</c> meter (task lifecycle counters, wait and run
/// histograms, queue depth gauges, worker and partition instruments) to <c>/metrics</c> and, when an endpoint is set, OTLP.
/// </summary>
public static class TaskQueueTelemetry
{
    /// <summary>The path Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Registers the exporters <paramref name="metrics"/> asks for; nothing when it is off.</summary>
    public static IHostApplicationBuilder AddTaskQueueTelemetry(this IHostApplicationBuilder builder, TaskQueueMetricsOptions metrics)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(metrics);
        if (!metrics.Enabled || (!metrics.Prometheus && metrics.OtlpEndpoint is null)) return builder;
        var endpoint = metrics.OtlpEndpoint is { Length: > 0 } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"TaskQueue:Metrics:OtlpEndpoint '{text}' is not an absolute URI.", nameof(metrics))
            : null;
        builder.Services.AddOpenTelemetry().WithMetrics(meters =>
        {
            meters.AddMeter(WorkerMetrics.MeterName);
            if (metrics.IncludeOrleans) meters.AddMeter("Microsoft.Orleans");
            if (metrics.Prometheus) meters.AddPrometheusExporter();
            if (endpoint is not null) meters.AddOtlpExporter(o => o.Endpoint = endpoint);
        });
        // Spans only go somewhere over OTLP: a silo without an endpoint does not even record them.
        if (endpoint is not null)
            builder.Services.AddOpenTelemetry().WithTracing(traces => traces.AddSource(TaskTracing.SourceName).AddOtlpExporter(o => o.Endpoint = endpoint));
        return builder;
    }
}
