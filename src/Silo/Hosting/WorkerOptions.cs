namespace DistributedTaskQueue;

/// <summary>How this silo's worker loop takes and runs tasks (the original design's WorkerConfig). Section <c>TaskQueue:Worker</c>.</summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "TaskQueue:Worker";

    /// <summary>This worker's id in leases and logs; empty means derived from the silo's address.</summary>
    public string WorkerId { get; set; } = "";

    /// <summary>The queues this silo serves. Empty: it runs no tasks (a gateway-only silo).</summary>
    public IList<string> Queues { get; set; } = [QueueNames.Default];

    /// <summary>Tasks this silo runs at once, over all its queues.</summary>
    public int MaxConcurrentTasks { get; set; } = 8;

    /// <summary>
    /// How long one lease call waits for work before asking again. Dispatch is pushed: a task submitted
    /// to an idle worker is handed over as soon as it is written; this interval only bounds the long poll.
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt may run when the task sets no timeout.</summary>
    public TimeSpan TaskTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether failed attempts are retried by their retry policy; false dead-letters on the first failure.</summary>
    public bool AutoRetry { get; set; } = true;

    /// <summary>How often running tasks' leases are renewed.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>On shutdown, how long running tasks may go on finishing before they are handed back.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first bad setting (checked at start-up).</summary>
    public void Validate()
    {
        foreach (var queue in Queues)
        {
            if (!QueueNames.IsValid(queue)) throw new InvalidOperationException($"TaskQueue:Worker:Queues has an invalid queue name '{queue}'.");
        }
        if (MaxConcurrentTasks is < 1 or > 100_000) throw new InvalidOperationException("TaskQueue:Worker:MaxConcurrentTasks must be 1..100000.");
        if (PollingInterval < TimeSpan.FromMilliseconds(100) || PollingInterval > TimeSpan.FromSeconds(25))
            throw new InvalidOperationException("TaskQueue:Worker:PollingInterval must be 0.1..25 s (a lease call must end well within Orleans' 30 s call timeout).");
        try
        {
            TaskRules.ValidateTimeout(TaskTimeout, "TaskQueue:Worker:TaskTimeout");
        }
        catch (InvalidTaskException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval > TimeSpan.FromHours(1)) throw new InvalidOperationException("TaskQueue:Worker:HeartbeatInterval must be positive and at most an hour.");
        if (ShutdownGracePeriod < TimeSpan.Zero || ShutdownGracePeriod > TimeSpan.FromHours(1)) throw new InvalidOperationException("TaskQueue:Worker:ShutdownGracePeriod must be 0..1 hour.");
    }
}
