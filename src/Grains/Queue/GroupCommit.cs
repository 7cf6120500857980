namespace DistributedTaskQueue.Queue;

/// <summary>
/// Group commit: every change waits for the next write that carries it, and all changes made while one write is
/// in flight share the next. One write at a time; batches form from arrivals, never from a timer (a timer only
/// adds latency). A change whose caller need not hear soon (a worker's completion report) may instead wait as a rider
/// (<see cref="CommitLaterAsync"/>): while nothing is being written it starts no write, and is acknowledged by the next
/// write anyone else starts. What runs after a write (indexing, waking callers) is part of the commit: if it throws, the
/// callers fail at once and the owner reloads, exactly as when the write itself fails (invariant 13).
/// </summary>
/// <param name="begin">Starts one write of everything changed so far; called synchronously, so it takes its snapshot before the write's first await. Returns the write and what to run once it is durable.</param>
/// <param name="failed">Told once when a write or its follow-up fails; from then on every commit is refused (the owner should deactivate).</param>
internal sealed class GroupCommit(Func<GroupCommit.Batch> begin, Action<Exception> failed)
{
    /// <summary>One started write, and what to run once it is durable (before the callers that waited for it resume).</summary>
    public readonly record struct Batch(Task Write, Action Committed);

    private TaskCompletionSource? _next;
    // Riders: wait for the next write, but start none (the owner's timer starts one if nobody else does).
    private TaskCompletionSource? _riders;
    private TaskCompletionSource? _current;
    private bool _writing;
    private Exception? _failure;

    /// <summary>True once a write (or what followed it) failed: the owner's memory may hold changes storage does not.</summary>
    public bool IsBroken => _failure is not null;

    /// <summary>Whether a write has completed since this instance was made.</summary>
    public bool HasCommitted { get; private set; }

    /// <summary>Whether a commit was asked for that no write has started to carry yet.</summary>
    public bool HasPending => _next is not null;

    /// <summary>Whether riders wait that no write has started to carry yet (the owner must see that one starts).</summary>
    public bool HasRiders => _riders is not null;

    /// <summary>
    /// Completes when the write in flight now is durable (at once when none is): for a reader whose record that write
    /// already carries, so it need not wait for (or cause) another write. Once a write failed, this is that write, failed:
    /// what it carried stays unwritten, and a reader who reaches it only after the failure must not be shown it.
    /// </summary>
    public Task CurrentWrite => _current?.Task ?? Task.CompletedTask;

    /// <summary>Completes after a write that includes every change made before this call.</summary>
    /// <exception cref="TaskQueueUnavailableException">A write failed: nothing more is written until the owner reloads.</exception>
    public Task CommitAsync()
    {
        ThrowIfBroken();
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = _next.Task;
        if (!_writing)
        {
            // Set before the loop starts: when every write of a flush finishes before it is awaited (a busy machine
            // can deschedule us that long) the loop runs on synchronously and may ask for the next write itself; a
            // second loop would write the same keys with the same ETags.
            _writing = true;
            RunAsync().Ignore();
        }
        return next;
    }

    /// <summary>
    /// Completes after a write that includes every change made before this call, like <see cref="CommitAsync"/>. While
    /// nothing is being written it starts no write: it rides with the next one anyone starts, and the owner must start
    /// one (<see cref="Request"/>) within its own bound while <see cref="HasRiders"/>. While a write is in flight it is
    /// <see cref="CommitAsync"/>: a busy owner's writes follow each other anyway, and a gap until the owner's bound
    /// would only hold up what each write releases (settled tasks, room for the next segments).
    /// </summary>
    /// <exception cref="TaskQueueUnavailableException">A write failed: nothing more is written until the owner reloads.</exception>
    public Task CommitLaterAsync()
    {
        if (_writing) return CommitAsync();
        ThrowIfBroken();
        _riders ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _riders.Task;
    }

    /// <summary>A write nobody waits for (lease marks, promotions): it rides with the next commit, or starts one.</summary>
    public void Request()
    {
        if (!IsBroken) CommitAsync().Ignore();
    }

    /// <summary>Throws the unavailability error when a write failed.</summary>
    public void ThrowIfBroken()
    {
        if (_failure is not null)
            throw new TaskQueueUnavailableException("This queue partition lost a write and is reloading from storage; retry the call.", _failure);
    }

    private async Task RunAsync()
    {
        try
        {
            while (_next is { } batch)
            {
                _next = null;
                // Taken with the batch, before begin() takes its snapshot: this write carries what they changed.
                var riders = _riders;
                _riders = null;
                _current = batch;
                try
                {
                    var started = begin();
                    await started.Write;
                    HasCommitted = true;
                    started.Committed();
                }
                catch (Exception ex)
                {
                    Fail(batch, riders, ex);
                    return;
                }
                batch.TrySetResult();
                riders?.TrySetResult();
            }
        }
        finally
        {
            _writing = false;
            if (_failure is null) _current = null;
        }
    }

    /// <summary>
    /// The owner's memory can no longer be trusted (a change failed half-way): refuse every commit from now on and
    /// fail those waiting, as when a write fails.
    /// </summary>
    public void Break(Exception cause)
    {
        if (_failure is not null) return;
        Fail(null, null, cause);
    }

    private void Fail(TaskCompletionSource? batch, TaskCompletionSource? riders, Exception ex)
    {
        _failure = ex;
        var error = new TaskQueueUnavailableException("Writing the queue partition failed; the outcome of this call is unknown. Retry it (with an idempotency key, a submit is safe to repeat).", ex);
        batch?.TrySetException(error);
        riders?.TrySetException(error);
        _next?.TrySetException(error);
        _next = null;
        _riders?.TrySetException(error);
        _riders = null;
        failed(ex);
    }
}
