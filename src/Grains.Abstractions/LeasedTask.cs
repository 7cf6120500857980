namespace DistributedTaskQueue;

/// <summary>A task handed to a worker under a lease; <see cref="Lease"/> is its fencing token.</summary>
[GenerateSerializer, Immutable, Alias("dtq.LeasedTask")]
public sealed record LeasedTask(
    [property: Id(0)] TaskId Id,
    [property: Id(1)] string TaskName,
    [property: Id(2)] byte[] Payload,
    [property: Id(3)] LeaseToken Lease,
    [property: Id(4)] TimeSpan? Timeout,
    [property: Id(5)] DateTimeOffset EnqueuedAt,
    [property: Id(6)] string? TraceParent = null)
{
    /// <summary>1 for the first attempt (the lease's attempt number).</summary>
    public int Attempt => Lease.Attempt;
}
