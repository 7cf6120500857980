namespace DistributedTaskQueue;

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
