using DistributedTaskQueue.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// Ready when this silo's worker consumes: it started its consumers and none of their lease loops has been gone longer than
/// the polling interval plus <see cref="HealthOptions.WorkerStallMargin"/>. A silo that serves no queues has nothing to consume.
/// </summary>
internal sealed class WorkerHealthCheck(WorkerProgress progress, IOptions<WorkerOptions> worker, IOptions<HealthOptions> health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (worker.Value.Queues.Count == 0) return Task.FromResult(HealthCheckResult.Healthy("This silo serves no queues."));
        if (!progress.Started) return Task.FromResult(HealthCheckResult.Unhealthy("The worker has not started its consumers yet."));
        var limit = worker.Value.PollingInterval + health.Value.WorkerStallMargin;
        var stalled = progress.Stalled(limit);
        return Task.FromResult(stalled.Count == 0
            ? HealthCheckResult.Healthy("Every consumer's lease loop is coming back.")
            : HealthCheckResult.Unhealthy($"No lease call came back for over {limit.TotalSeconds:0.#} s on {string.Join(", ", stalled)}."));
    }
}
