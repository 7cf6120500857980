using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DistributedTaskQueue;

/// <summary>Live and ready until <see cref="RedisDataLossWatch"/> finds that Redis lost its data: then a restart is what helps.</summary>
internal sealed class RedisDataLossHealthCheck(RedisDataLossWatch watch) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(watch.LostAt is { } lost
            ? HealthCheckResult.Unhealthy($"Redis lost its data (found at {lost:O}): acknowledged tasks may be lost and the membership table is gone. Restart this silo.")
            : HealthCheckResult.Healthy("Redis keeps this cluster's data."));
}
