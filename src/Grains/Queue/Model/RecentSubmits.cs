namespace DistributedTaskQueue.Queue;

/// <summary>
/// The tokens of a partition's recent submits and the tasks they made, for as long as a client may retry a submit
/// (the dedupe window), and never more than a fixed number: past it the oldest are forgotten early, so a flood of
/// submits cannot grow memory without bound. Tokens arrive in time order, so forgetting walks one queue.
/// </summary>
internal sealed class RecentSubmits(TimeSpan window, int capacity)
{
    private readonly Dictionary<SubmitToken, long> _tasks = new(SubmitTokenComparer.Instance);
    // UTC ticks rather than DateTimeOffset: 8 bytes less per remembered submit.
    private readonly Queue<(long AtTicks, SubmitToken Token)> _order = new();
    // The most remembered since the tables were last trimmed: neither shrinks by itself, so a burst of a million
    // submits would keep its ~40 MB of table after it was forgotten.
    private int _highWater;

    public int Count => _tasks.Count;

    /// <summary>Entries the token table has room for (what it holds in memory, whatever <see cref="Count"/> says).</summary>
    public int Capacity => _tasks.Capacity;

    /// <summary>The task a token made, if it is still remembered at <paramref name="now"/>.</summary>
    public bool TryGet(SubmitToken token, DateTimeOffset now, out long sequence)
    {
        Forget(now - window);
        return _tasks.TryGetValue(token, out sequence);
    }

    /// <summary>Remembers a token (a submit accepted at <paramref name="at"/>), forgetting what fell out of the window or over capacity.</summary>
    public void Add(SubmitToken token, long sequence, DateTimeOffset at)
    {
        Forget(at - window);
        if (!_tasks.TryAdd(token, sequence)) return;
        _order.Enqueue((at.UtcTicks, token));
        while (_order.Count > capacity) _tasks.Remove(_order.Dequeue().Token);
        _highWater = Math.Max(_highWater, _tasks.Count);
    }

    /// <summary>
    /// Forgets tokens of submits before <paramref name="before"/>; called on every submit and on the partition's tick, so
    /// a burst is forgotten on time even when no submit follows it. Gives the tables' memory back once they are mostly empty.
    /// </summary>
    public void Forget(DateTimeOffset before)
    {
        while (_order.TryPeek(out var oldest) && oldest.AtTicks < before.UtcTicks) _tasks.Remove(_order.Dequeue().Token);
        if (_highWater > MinTrim && _tasks.Count < _highWater / 4)
        {
            _tasks.TrimExcess();
            _order.TrimExcess();
            _highWater = _tasks.Count;
        }
    }

    // Below this the tables are small enough to keep, and a steady trickle never trims.
    private const int MinTrim = 4096;
}
