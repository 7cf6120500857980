namespace DistributedTaskQueue;

/// <summary>
/// Which task names the cluster's workers can run (key 0). Workers register at start and every half
/// minute, and unregister when they stop; partitions consult it to refuse, at submit, a task that no
/// connected worker handles. In memory only: after a restart it refills within one refresh.
/// </summary>
[Alias("dtq.ITaskCatalogGrain")]
public interface ITaskCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Records (or refreshes) what one worker handles and which queues it serves; <paramref name="acceptsAnyName"/> when it
    /// has an open-ended raw handler. (A new alias: the call gained the queues.)
    /// </summary>
    [Alias("RegisterServing")]
    Task RegisterAsync(string workerId, string[] taskNames, bool acceptsAnyName, string[] queues);

    /// <summary>Forgets a worker that is stopping.</summary>
    [Alias("Unregister")]
    Task UnregisterAsync(string workerId);

    /// <summary>What the connected workers handle now.</summary>
    [Alias("Get")]
    Task<TaskCatalog> GetAsync();

    /// <summary>The queues the connected workers serve, in ordinal order.</summary>
    [Alias("GetQueues")]
    Task<string[]> GetQueuesAsync();
}
