namespace DistributedTaskQueue.Queue;

/// <summary>
/// One state of an atomic flush: written with <paramref name="Data"/>, or deleted when it is null. <paramref name="State"/>
/// carries the ETag the write is fenced by, and receives the new one.
/// </summary>
internal readonly record struct FlushEntry(string StateName, IGrainState<StoredBlob> State, byte[]? Data)
{
    public bool IsDelete => Data is null;
}
