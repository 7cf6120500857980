namespace DistributedTaskQueue.Queue;

/// <summary>How far a record's state in memory is from storage: readers wait for the write that makes it durable.</summary>
internal enum Durability
{
    /// <summary>Memory and storage agree.</summary>
    Written = 0,

    /// <summary>The write in flight carries the change.</summary>
    CurrentWrite = 1,

    /// <summary>The change waits for the next write (or the task is accepted but not yet written).</summary>
    NextWrite = 2,
}
