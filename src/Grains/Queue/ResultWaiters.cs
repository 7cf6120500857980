namespace DistributedTaskQueue.Queue;

/// <summary>
/// Callers waiting for tasks to end (<c>WaitForResultAsync</c>), woken by the partition once the end is durable,
/// or when their wait runs out. Runs inside the partition grain's turns, so no lock is needed.
/// </summary>
internal sealed class ResultWaiters(TimeProvider time)
{
    private readonly Dictionary<long, List<TaskCompletionSource>> _waiting = [];

    /// <summary>Returns when <see cref="Wake"/> is called for the task, or after <paramref name="wait"/>.</summary>
    public async Task WaitAsync(long sequence, TimeSpan wait)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryGetValue(sequence, out var list)) _waiting[sequence] = list = [];
        list.Add(done);
        using var timeout = new CancellationTokenSource();
        await Task.WhenAny(done.Task, Task.Delay(wait, time, timeout.Token));
        await timeout.CancelAsync();
        if (_waiting.TryGetValue(sequence, out list) && list.Remove(done) && list.Count == 0) _waiting.Remove(sequence);
    }

    /// <summary>Ends every wait at once (the partition broke: callers should ask again, and reach its next activation).</summary>
    public void WakeAll()
    {
        foreach (var list in _waiting.Values)
        {
            foreach (var waiter in list) waiter.TrySetResult();
        }
        _waiting.Clear();
    }

    /// <summary>Whether a caller is waiting for this task now (its end should then be written at once).</summary>
    public bool IsWaitedFor(long sequence) => _waiting.ContainsKey(sequence);

    public void Wake(long sequence)
    {
        if (!_waiting.Remove(sequence, out var list)) return;
        foreach (var waiter in list) waiter.TrySetResult();
    }
}
