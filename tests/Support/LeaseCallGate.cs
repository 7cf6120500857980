namespace DistributedTaskQueue.Tests.Support;

/// <summary>Holds every lease call a partition receives while closed: the worker's lease loop is stuck, as behind a hung grain.</summary>
public sealed class LeaseCallGate : IIncomingGrainCallFilter
{
    private volatile TaskCompletionSource? _closed;

    public void Close() => _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => Interlocked.Exchange(ref _closed, null)?.TrySetResult();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.MethodName == nameof(ITaskQueueGrain.LeaseAsync) && _closed is { } closed) await closed.Task;
        await context.Invoke();
    }
}
