namespace DistributedTaskQueue.Tests.Support;

/// <summary>Holds every call to the queue directory's AddAsync until released (a silo's incoming call filter): a directory that does not answer.</summary>
public sealed class DirectoryGate : IIncomingGrainCallFilter
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    public int Held => Volatile.Read(ref _held);

    public void Release() => _released.TrySetResult();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IQueueDirectoryGrain.AddAsync))
        {
            Interlocked.Increment(ref _held);
            await _released.Task;
        }
        await context.Invoke();
    }
}
