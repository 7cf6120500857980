namespace DistributedTaskQueue;

/// <summary>
/// Names one submitted item of one client call: the client makes one for every task without an idempotency key, and
/// sends the same token again when it retries a submit whose outcome it does not know (a silo died while writing it).
/// The partition answers a repeated token with the first task's id for as long as it remembers recent submits
/// (<c>TaskQueue:SubmitDedupeWindow</c>), so riding out a failure never creates a second task.
/// </summary>
[GenerateSerializer, Immutable, Alias("dtq.SubmitToken")]
public readonly record struct SubmitToken([property: Id(0)] Guid Call, [property: Id(1)] int Index);
