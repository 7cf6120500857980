namespace DistributedTaskQueue;

/// <summary>
/// Which task names the cluster's workers can run (key 0). Workers register at start and every half
/// minute, and unregister when they stop; partitions consult it to refuse, at submit, a task that no
/// connected worker handles. In memory only: after a restart it refills within one refresh.
/// </summary>
[Alias("dtq.ITaskCatalogGrain")]
public interface ITaskCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Records (or refreshes) what one worker handles; <paramref name="acceptsAnyName"/> when it has an open-ended raw handler.</summary>
    [Alias("Register")]
    Task RegisterAsync(string workerId, string[] taskNames, bool acceptsAnyName);

    /// <summary>Forgets a worker that is stopping.</summary>
    [Alias("Unregister")]
    Task UnregisterAsync(string workerId);

    /// <summary>What the connected workers handle now.</summary>
    [Alias("Get")]
    Task<TaskCatalog> GetAsync();
}

/// <summary>The task names the connected workers handle.</summary>
[GenerateSerializer, Immutable, Alias("dtq.TaskCatalog")]
public sealed record TaskCatalog(
    [property: Id(0)] int Workers,
    [property: Id(1)] bool AcceptsAnyName,
    [property: Id(2)] IReadOnlySet<string> Names)
{
    /// <summary>Nothing known yet: every name is accepted.</summary>
    public static TaskCatalog Unknown { get; } = new(0, false, new HashSet<string>());

    /// <summary>
    /// False only when the cluster knows for sure that no connected worker runs this name: some worker is
    /// registered, none has an open-ended raw handler, and none lists the name.
    /// </summary>
    public bool MayHandle(string taskName) => Workers == 0 || AcceptsAnyName || Names.Contains(taskName);
}
