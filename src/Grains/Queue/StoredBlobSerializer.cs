using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// The partition storage's serializer: partitions hand storage bytes they serialized themselves (see
/// <see cref="PartitionStore"/>), so storing them means passing them through, not wrapping them in a second
/// serialization that copies every segment again on each write.
/// </summary>
internal sealed class StoredBlobSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => input is StoredBlob blob
        ? new BinaryData(blob.Data)
        : throw new NotSupportedException($"The task queue's storage holds only its own records, not {typeof(T).Name}.");

    public T Deserialize<T>(BinaryData input)
    {
        if (typeof(T) != typeof(StoredBlob)) throw new NotSupportedException($"The task queue's storage holds only its own records, not {typeof(T).Name}.");
        return (T)(object)new StoredBlob { Data = input.ToArray() };
    }
}
