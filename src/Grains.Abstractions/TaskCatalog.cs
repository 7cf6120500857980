namespace DistributedTaskQueue;

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
