namespace DistributedTaskQueue.Worker;

/// <summary>
/// The silo-wide budget of concurrently running tasks, shared by every partition this silo serves,
/// and the count of tasks running now, so shutdown can wait for the last one.
/// </summary>
internal sealed class WorkerSlots(int capacity) : IDisposable
{
    private readonly SemaphoreSlim _free = new(capacity, capacity);
    private int _running;
    private TaskCompletionSource _idle = NewSignal();

    public Task WaitAsync(CancellationToken cancellationToken) => _free.WaitAsync(cancellationToken);

    /// <summary>Slots free at this moment (a hint: another loop may take them next).</summary>
    public int Free => _free.CurrentCount;

    /// <summary>Takes up to <paramref name="max"/> more free slots without waiting; returns how many.</summary>
    public int TakeFree(int max)
    {
        var taken = 0;
        while (taken < max && _free.Wait(0, CancellationToken.None)) taken++;
        return taken;
    }

    public void Release(int count)
    {
        if (count > 0) _free.Release(count);
    }

    public void TaskStarted() => Interlocked.Increment(ref _running);

    /// <summary>Gives the task's slot back.</summary>
    public void TaskFinished()
    {
        _free.Release();
        if (Interlocked.Decrement(ref _running) == 0) Volatile.Read(ref _idle).TrySetResult();
    }

    public int Running => Volatile.Read(ref _running);

    /// <summary>Completes when no task runs (checked from now on, so an earlier idle moment does not count).</summary>
    public Task WhenIdle()
    {
        Volatile.Write(ref _idle, NewSignal());
        return Running == 0 ? Task.CompletedTask : Volatile.Read(ref _idle).Task;
    }

    public void Dispose() => _free.Dispose();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
