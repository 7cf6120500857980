namespace DistributedTaskQueue.Queue;

/// <summary>
/// Due times of delayed tasks (a not-before time, or a retry's backoff). Removal is lazy: an entry whose task left
/// the delayed state, or whose due time changed, is skipped when it comes due.
/// </summary>
internal sealed class DelayedIndex
{
    private readonly PriorityQueue<long, DateTimeOffset> _due = new();

    /// <summary>The earliest due time (it may belong to a task cancelled since).</summary>
    public DateTimeOffset? NextDue => _due.TryPeek(out _, out var due) ? due : null;

    public void Add(long sequence, DateTimeOffset due) => _due.Enqueue(sequence, due);

    /// <summary>Takes the next entry due at or before <paramref name="now"/>.</summary>
    public bool TryTakeDue(DateTimeOffset now, out long sequence, out DateTimeOffset due)
    {
        if (_due.TryPeek(out sequence, out due) && due <= now)
        {
            _due.Dequeue();
            return true;
        }
        return false;
    }
}
