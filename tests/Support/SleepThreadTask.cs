namespace DistributedTaskQueue.Tests.Support;

/// <summary>Holds its thread for <c>Milliseconds</c> with a synchronous wait, as a handler doing blocking I/O does.</summary>
[TaskName("test.sleep-thread")]
public sealed record SleepThreadTask(string Label, int Milliseconds) : ITask<string>;

public sealed class SleepThreadTaskHandler : ITaskHandler<SleepThreadTask, string>
{
    private static int _blocking;

    /// <summary>How many handlers hold their thread right now.</summary>
    public static int Blocking => Volatile.Read(ref _blocking);

    public Task<string> HandleAsync(SleepThreadTask task, TaskContext context, CancellationToken cancellationToken)
    {
        Executions.Add(new Executions.Entry(context.Queue, task.Label, context.WorkerId, context.Attempt));
        Interlocked.Increment(ref _blocking);
        try
        {
            Thread.Sleep(task.Milliseconds);
        }
        finally
        {
            Interlocked.Decrement(ref _blocking);
        }
        return Task.FromResult(task.Label);
    }
}
