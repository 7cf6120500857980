namespace DistributedTaskQueue.Tests.Support;

/// <summary>Fails the first call to the queue directory's AddAsync (a silo's incoming call filter): a directory that refused once.</summary>
public sealed class DirectoryRefusal : IIncomingGrainCallFilter
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IQueueDirectoryGrain.AddAsync) && Interlocked.Increment(ref _calls) == 1)
            throw new InvalidOperationException("the directory refused this once");
        return context.Invoke();
    }
}
