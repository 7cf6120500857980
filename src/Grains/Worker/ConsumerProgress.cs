namespace DistributedTaskQueue.Worker;

/// <summary>
/// How recently one partition consumer's lease loop made progress: a lease call that came back, not counting time spent
/// waiting for a free slot (a silo whose slots are all busy is working, not stuck; its tasks' timeouts free them).
/// A loop whose calls hang or keep failing stops making progress, and <see cref="WorkerProgress"/> reports it.
/// </summary>
internal sealed class ConsumerProgress
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private long _lastProgress;
    private long? _waitingSince;

    public ConsumerProgress(string partition, TimeProvider time)
    {
        Partition = partition;
        _time = time;
        _lastProgress = time.GetTimestamp();
    }

    /// <summary>Progress of a consumer nobody watches (a consumer built outside <see cref="TaskWorker"/>).</summary>
    public static ConsumerProgress Untracked => new("", TimeProvider.System);

    public string Partition { get; }

    /// <summary>The loop waits for a free slot: the clock stops until <see cref="SlotTaken"/>.</summary>
    public void WaitingForSlot()
    {
        lock (_lock) _waitingSince = _time.GetTimestamp();
    }

    /// <summary>The loop has a slot: the time it waited is credited, so only time spent leasing counts.</summary>
    public void SlotTaken()
    {
        lock (_lock)
        {
            if (_waitingSince is { } since) _lastProgress += _time.GetTimestamp() - since;
            _waitingSince = null;
        }
    }

    /// <summary>A lease call came back (with tasks or empty after its long poll).</summary>
    public void Leased()
    {
        lock (_lock) _lastProgress = _time.GetTimestamp();
    }

    /// <summary>True when the loop spent longer than <paramref name="limit"/> since its last lease call without coming back.</summary>
    public bool IsStalled(TimeSpan limit)
    {
        lock (_lock)
        {
            if (_waitingSince is not null) return false;
            return _time.GetElapsedTime(_lastProgress) > limit;
        }
    }
}
