namespace DistributedTaskQueue;

/// <summary>
/// A unit of work whose handler produces a <typeparamref name="TResult"/>. Implement it on a record:
/// the record is the payload (serialized as JSON) and its <see cref="TaskNameAttribute"/> (default: the
/// type name) is the task's stable name. Handlers are found by that name, never by .NET type.
/// </summary>
/// <typeparam name="TResult">What the handler returns; serialized as JSON.</typeparam>
#pragma warning disable CA1040 // A marker interface on purpose: it carries the result type for the typed client API.
public interface ITask<TResult>
#pragma warning restore CA1040
{
}

/// <summary>The stable name a task is stored and dispatched under. Renaming the class does not strand queued work.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    /// <summary>The task's name.</summary>
    public string Name { get; } = name;
}

/// <summary>Per-type defaults; <see cref="TaskOptions"/> given at submit override them.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class TaskDefaultsAttribute : Attribute
{
    /// <summary>Priority when the submit names none.</summary>
    public TaskPriority Priority { get; set; } = TaskPriority.Normal;

    /// <summary>Retries after the first attempt; negative means "use the queue's default".</summary>
    public int MaxRetries { get; set; } = -1;

    /// <summary>Delay before the first retry, in seconds; negative means "use the default".</summary>
    public double RetryDelaySeconds { get; set; } = -1;

    /// <summary>Whether each retry doubles the previous delay.</summary>
    public bool ExponentialBackoff { get; set; } = true;

    /// <summary>Cap on a retry delay, in seconds; negative means "use the default".</summary>
    public double MaxDelaySeconds { get; set; } = -1;

    /// <summary>How long one attempt may run, in seconds; zero or negative means "use the worker's default".</summary>
    public double TimeoutSeconds { get; set; }
}
