namespace DistributedTaskQueue;

/// <summary>
/// The names of the queues that ever held a task (key 0), persisted. A partition adds its queue once per activation,
/// after its first submit is written; reads never add one, so looking at a queue nobody used leaves nothing behind.
/// </summary>
[Alias("dtq.IQueueDirectoryGrain")]
public interface IQueueDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a queue name (no write when it is already there).</summary>
    [Alias("Add")]
    Task AddAsync(string queue);

    /// <summary>Every queue name, in ordinal order.</summary>
    [Alias("List")]
    Task<string[]> ListAsync();
}
