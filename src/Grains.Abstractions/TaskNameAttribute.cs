namespace DistributedTaskQueue;

/// <summary>The stable name a task is stored and dispatched under. Renaming the class does not strand queued work.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    /// <summary>The task's name.</summary>
    public string Name { get; } = name;
}
