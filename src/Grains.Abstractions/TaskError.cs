namespace DistributedTaskQueue;

/// <summary>Why an attempt failed.</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskError")]
public sealed record TaskError(
    [property: Id(0)] string Message,
    [property: Id(1)] string? Type,
    [property: Id(2)] string? StackTrace,
    [property: Id(3)] int Attempt,
    [property: Id(4)] DateTimeOffset At);
