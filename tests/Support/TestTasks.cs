using System.Collections.Concurrent;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>Records its label when it runs; returns the label.</summary>
[TaskName("test.record")]
public sealed record RecordTask(string Label, int DelayMilliseconds = 0) : ITask<string>;

/// <summary>Always throws with its message.</summary>
[TaskName("test.fail")]
public sealed record FailTask(string Message) : ITask<string>;

/// <summary>Waits; with <c>IgnoreToken</c> it pretends not to hear cancellation (a badly behaved handler).</summary>
[TaskName("test.wait")]
public sealed record WaitTask(string Label, int Milliseconds, bool IgnoreToken = false) : ITask<string>;

/// <summary>Every execution of a test task, in start order, with the worker that ran it.</summary>
public static class Executions
{
    public sealed record Entry(string Queue, string Label, string WorkerId, int Attempt);

    private static readonly ConcurrentQueue<Entry> All = new();

    public static void Add(Entry entry) => All.Enqueue(entry);

    /// <summary>The executions of one queue: tests use their own queue names, so parallel tests do not mix.</summary>
    public static IReadOnlyList<Entry> Of(string queue) => All.Where(e => e.Queue == queue).ToList();
}

public sealed class RecordTaskHandler(TimeProvider time) : ITaskHandler<RecordTask, string>
{
    public async Task<string> HandleAsync(RecordTask task, TaskContext context, CancellationToken cancellationToken)
    {
        Executions.Add(new Executions.Entry(context.Queue, task.Label, context.WorkerId, context.Attempt));
        if (task.DelayMilliseconds > 0) await Task.Delay(TimeSpan.FromMilliseconds(task.DelayMilliseconds), time, cancellationToken);
        return task.Label;
    }
}

public sealed class FailTaskHandler : ITaskHandler<FailTask, string>
{
    public Task<string> HandleAsync(FailTask task, TaskContext context, CancellationToken cancellationToken)
    {
        Executions.Add(new Executions.Entry(context.Queue, task.Message, context.WorkerId, context.Attempt));
        throw new InvalidOperationException(task.Message);
    }
}

public sealed class WaitTaskHandler(TimeProvider time) : ITaskHandler<WaitTask, string>
{
    public async Task<string> HandleAsync(WaitTask task, TaskContext context, CancellationToken cancellationToken)
    {
        Executions.Add(new Executions.Entry(context.Queue, task.Label, context.WorkerId, context.Attempt));
        await Task.Delay(TimeSpan.FromMilliseconds(task.Milliseconds), time, task.IgnoreToken ? CancellationToken.None : cancellationToken);
        return task.Label;
    }
}
