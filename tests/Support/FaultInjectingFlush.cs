using DistributedTaskQueue.Queue;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Wraps a partition's atomic flush (the Redis script) with the faults such a flush can have. It is one call, so it is
/// lost whole: a flush that touches a state name <paramref name="faults"/> loses never reaches Redis, none of it, and
/// fails its caller. And it can land while its caller hears of a failure (a reply lost to a timeout).
/// </summary>
internal sealed class FaultInjectingFlush(IPartitionFlush inner, FaultInjectingStorage faults) : IPartitionFlush
{
    private int _loseNextReply;

    /// <summary>The next flush lands, and its caller is told it failed (and never learns the new ETags).</summary>
    public void LoseNextReply() => Volatile.Write(ref _loseNextReply, 1);

    public async Task WriteAsync(GrainId grainId, IReadOnlyList<FlushEntry> entries)
    {
        if (entries.FirstOrDefault(e => faults.IsLost(e.StateName)) is { StateName: { } lost })
            throw new IOException($"The flush writing {lost} was lost (test fault).");
        if (Interlocked.Exchange(ref _loseNextReply, 0) == 1)
        {
            await inner.WriteAsync(grainId, [.. entries.Select(e => e with { State = new GrainState<StoredBlob> { ETag = e.State.ETag } })]);
            throw new IOException("The flush landed, but its reply was lost (test fault).");
        }
        await inner.WriteAsync(grainId, entries);
    }
}
