namespace DistributedTaskQueue;

/// <summary>A worker's report of one finished attempt, fenced by the lease it ran under.</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskCompletion")]
public sealed record TaskCompletion(
    [property: Id(0)] LeaseToken Lease,
    [property: Id(1)] TaskOutcome Outcome)
{
    /// <summary>The task's sequence in its partition.</summary>
    public long Sequence => Lease.Sequence;

    /// <summary>The attempt number the outcome belongs to.</summary>
    public int Attempt => Lease.Attempt;
}
