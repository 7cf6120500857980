namespace DistributedTaskQueue;

/// <summary>What <c>/health/ready</c> tolerates before it calls this silo unready (section <c>TaskQueue:Health</c>).</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// How much longer than <c>TaskQueue:Worker:PollingInterval</c> a consumer's lease call may take before the worker counts
    /// as stuck (20 s; with the default 10 s poll, unready after 30 s). A parked lease call comes back within the polling
    /// interval, so only a hung or repeatedly failing call (Orleans gives up on a call after 30 s) goes past it.
    /// </summary>
    public TimeSpan WorkerStallMargin { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the readiness check waits for Redis to answer a PING (2 s).</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
