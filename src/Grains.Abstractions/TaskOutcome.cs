namespace DistributedTaskQueue;

/// <summary>What one attempt came to: a closed set, turned from the handler's outcome in one place (the executor).</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskOutcome")]
public abstract record TaskOutcome
{
    /// <summary>The handler returned a result (UTF-8 JSON).</summary>
    [GenerateSerializer, Immutable, Alias("dtq.TaskOutcome.Succeeded")]
    public sealed record Succeeded([property: Id(0)] byte[] Result) : TaskOutcome;

    /// <summary>The attempt was stopped without an outcome (the worker is shutting down): the task goes back in line, no failure counted.</summary>
    [GenerateSerializer, Immutable, Alias("dtq.TaskOutcome.Released")]
    public sealed record Released : TaskOutcome;

    /// <summary>The attempt failed; <see cref="Retryable"/> says whether the retry policy may try again.</summary>
    [GenerateSerializer, Immutable, Alias("dtq.TaskOutcome.Failed")]
    public sealed record Failed([property: Id(0)] TaskError Error, [property: Id(1)] bool Retryable) : TaskOutcome;
}
