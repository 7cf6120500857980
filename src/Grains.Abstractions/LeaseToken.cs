namespace DistributedTaskQueue;

/// <summary>
/// The one fencing token: a task's sequence in its partition, the attempt number, and the epoch (the activation of
/// the partition that granted the lease). A lease, a renewal, a completion and a cancel all name their attempt by
/// it, and a late zombie's token never equals a current one. No part of it has a default.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.LeaseToken")]
public readonly record struct LeaseToken([property: Id(0)] long Sequence, [property: Id(1)] int Attempt, [property: Id(2)] long Epoch);
