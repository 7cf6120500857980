// Health endpoints for orchestrators: liveness (the process serves HTTP) and readiness (this silo can do its job: it is an
// active cluster member, its Redis answers, its worker consumes). Neither is behind the API's access rules: probes come
// from the orchestrator, and the answers hold nothing a caller could misuse.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DistributedTaskQueue;

/// <summary>Maps <c>/health/live</c> and <c>/health/ready</c> (and keeps <c>/healthz</c>, an alias of live, for existing probes).</summary>
public static class TaskQueueHealth
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string ReadyTag = "dtq.ready";

    /// <summary>The tag of the checks <c>/health/live</c> runs: only those a restart of the silo cures.</summary>
    public const string LiveTag = "dtq.live";

    internal static IEndpointRouteBuilder MapTaskQueueHealth(this IEndpointRouteBuilder endpoints)
    {
        // Live runs only checks a restart cures (Redis lost its data): restarting a silo for a Redis outage would not help.
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag), ResponseWriter = WriteAsync }).AllowAnonymous();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).AllowAnonymous();
        endpoints.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        return endpoints;
    }

    /// <summary>The overall status and each check's, with its description, so an operator sees why a silo is unready.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, TaskJson.Options, context.RequestAborted);
    }
}
