using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DistributedTaskQueue;

/// <summary>Ready when this silo is an active member of its cluster (joined, not shutting down or declared dead).</summary>
internal sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("Active in the cluster.")
            : HealthCheckResult.Unhealthy($"This silo's membership status is {status}."));
    }
}
