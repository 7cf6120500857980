namespace DistributedTaskQueue.Catalog;

/// <summary>What the queue directory stores: the queue names, sorted (ordinal).</summary>
[GenerateSerializer, Alias("dtq.QueueDirectoryState")]
internal sealed class QueueDirectoryState
{
    [Id(0)] public string[] Names { get; set; } = [];
}
