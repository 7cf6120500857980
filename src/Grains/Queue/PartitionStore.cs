using Orleans.Serialization;
using Orleans.Storage;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Reads and writes one partition's head and segments through the named grain storage, each under its
/// own state name (<c>head</c>, <c>seg-N</c>) so no write grows with queue depth. Values are serialized
/// here, before the first await, so a write carries a snapshot even while the partition keeps changing.
/// Every write is guarded by the ETag of the previous one: a second activation fails instead of overwriting.
/// </summary>
internal sealed class PartitionStore(IGrainStorage storage, Serializer serializer, GrainId grainId)
{
    private const string HeadName = "head";
    private readonly GrainState<StoredBlob> _head = new();
    private readonly Dictionary<long, GrainState<StoredBlob>> _segments = [];

    public async Task<PartitionHead?> ReadHeadAsync()
    {
        await storage.ReadStateAsync(HeadName, grainId, _head);
        return _head is { RecordExists: true, State: { } blob } ? serializer.Deserialize<PartitionHead>(blob.Data) : null;
    }

    public async Task<TaskSegment?> ReadSegmentAsync(long number)
    {
        var state = new GrainState<StoredBlob>();
        await storage.ReadStateAsync(SegmentName(number), grainId, state);
        if (state is not { RecordExists: true, State: { } blob }) return null;
        _segments[number] = state;
        state.State = StoredBlob.Empty;
        return serializer.Deserialize<TaskSegment>(blob.Data);
    }

    /// <summary>Starts one write per dirty segment (or delete) plus the head; serializes everything before returning the task.</summary>
    public Task WriteAsync(PartitionHead head, List<(long Number, TaskSegment? Segment)> segments)
    {
        var writes = new List<Task>(segments.Count + 1);
        foreach (var (number, segment) in segments)
        {
            if (segment is null)
            {
                if (_segments.Remove(number, out var gone)) writes.Add(storage.ClearStateAsync(SegmentName(number), grainId, gone));
                continue;
            }
            if (!_segments.TryGetValue(number, out var state)) _segments[number] = state = new GrainState<StoredBlob>();
            state.State = new StoredBlob { Data = serializer.SerializeToArray(segment) };
            writes.Add(WriteSegmentAsync(number, state));
        }
        _head.State = new StoredBlob { Data = serializer.SerializeToArray(head) };
        writes.Add(storage.WriteStateAsync(HeadName, grainId, _head));
        return Task.WhenAll(writes);
    }

    /// <summary>Only the ETag is kept between writes: holding every segment's last bytes would double the memory of the records.</summary>
    private async Task WriteSegmentAsync(long number, GrainState<StoredBlob> state)
    {
        await storage.WriteStateAsync(SegmentName(number), grainId, state);
        state.State = StoredBlob.Empty;
    }

    private static string SegmentName(long number) => $"seg-{number}";
}
