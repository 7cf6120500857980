namespace DistributedTaskQueue.Queue;

/// <summary>The storage envelope: bytes serialized by the grain itself, so a write carries a snapshot, never a live object.</summary>
[GenerateSerializer, Alias("dtq.StoredBlob")]
internal sealed class StoredBlob
{
    /// <summary>Stands in for bytes already written or read, which the store does not keep.</summary>
    public static readonly StoredBlob Empty = new();

    [Id(0)] public byte[] Data { get; set; } = [];
}
