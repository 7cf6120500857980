using System.Collections.Concurrent;

namespace DistributedTaskQueue;

/// <summary>
/// Which of a queue's partitions this client could not reach lately, so that a new submit goes to another one at once
/// while the silo that hosted it is being declared dead (seconds), instead of queueing behind it.
/// <para>
/// Only new submits move. A submit already sent to a partition keeps retrying that partition with the same items
/// (tokens, keys): its outcome there is unknown, and only that partition can recognise the repeat, so sending it
/// elsewhere could make a second task. A mark lasts while attempts to the partition keep failing and ends at its first
/// answer, or <see cref="MarkFor"/> after the last failure, when a new submit may try it again.
/// </para>
/// </summary>
internal sealed class PartitionAvailability(TimeProvider time)
{
    /// <summary>Longer than one attempt of a submit waiting on the partition (5 s, then at most 1 s of delay), which refreshes the mark.</summary>
    internal static readonly TimeSpan MarkFor = TimeSpan.FromSeconds(10);

    private const int MaxMarks = 4096;
    private readonly ConcurrentDictionary<(string Queue, int Partition), long> _unreachableUntil = new();
    private long _anyUntil; // the latest end of any mark: past it nothing is marked, and choosing costs one clock read

    /// <summary>
    /// <paramref name="preferred"/> unless it is marked unreachable and another partition of the queue is not: then the
    /// next unmarked one after it.
    /// </summary>
    public int Choose(string queue, int preferred, int partitions)
    {
        if (partitions == 1 || Now() >= Volatile.Read(ref _anyUntil) || !IsMarkedNow(queue, preferred)) return preferred;
        for (var step = 1; step < partitions; step++)
        {
            var candidate = (preferred + step) % partitions;
            if (!IsMarkedNow(queue, candidate)) return candidate;
        }
        return preferred; // all of them failed lately: nothing better to do than wait on the usual one
    }

    /// <summary>An attempt to the partition failed without an answer (transport, rejection, timeout, or it was unavailable).</summary>
    public void Failed(string queue, int partition)
    {
        var until = Now() + MarkFor.Ticks;
        // Bounded like the client's partition references: an app naming a new queue per request must not grow this.
        if (_unreachableUntil.Count >= MaxMarks) ForgetExpired();
        if (_unreachableUntil.Count >= MaxMarks && !_unreachableUntil.ContainsKey((queue, partition))) return;
        _unreachableUntil[(queue, partition)] = until;
        for (var seen = Volatile.Read(ref _anyUntil); seen < until; seen = Volatile.Read(ref _anyUntil))
        {
            if (Interlocked.CompareExchange(ref _anyUntil, until, seen) == seen) break;
        }
    }

    /// <summary>The partition answered: new submits may go to it again.</summary>
    public void Answered(string queue, int partition)
    {
        if (Now() < Volatile.Read(ref _anyUntil)) _unreachableUntil.TryRemove((queue, partition), out _);
    }

    /// <summary>Whether new submits pass over the partition now.</summary>
    public bool IsMarked(string queue, int partition) => Now() < Volatile.Read(ref _anyUntil) && IsMarkedNow(queue, partition);

    private bool IsMarkedNow(string queue, int partition)
    {
        if (!_unreachableUntil.TryGetValue((queue, partition), out var until)) return false;
        if (Now() < until) return true;
        // Expired: forget it (a new submit may try it again) unless a failure refreshed it meanwhile.
        _unreachableUntil.TryRemove(new KeyValuePair<(string, int), long>((queue, partition), until));
        return false;
    }

    private void ForgetExpired()
    {
        var now = Now();
        foreach (var mark in _unreachableUntil)
        {
            if (mark.Value <= now) _unreachableUntil.TryRemove(mark);
        }
    }

    private long Now() => time.GetUtcNow().UtcTicks;
}
