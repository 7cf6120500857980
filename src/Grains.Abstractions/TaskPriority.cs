namespace DistributedTaskQueue;

/// <summary>How urgent a task is. A higher-priority pending task always starts before a lower one in the same queue.</summary>
public enum TaskPriority
{
    /// <summary>Runs when nothing more urgent is pending.</summary>
    Low = 0,

    /// <summary>The default.</summary>
    Normal = 1,

    /// <summary>Runs before Normal and Low.</summary>
    High = 2,

    /// <summary>Runs before everything else.</summary>
    Critical = 3,
}
