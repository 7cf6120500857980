using System.Collections.Concurrent;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Blocks its thread, before any await, until the test opens its gate (a badly behaved handler); records its label
/// when it starts. Gates are by label, so parallel tests do not mix.
/// </summary>
[TaskName("test.block")]
public sealed record BlockTask(string Label) : ITask<string>
{
    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();

    public static ManualResetEventSlim GateOf(string label) => Gates.GetOrAdd(label, _ => new ManualResetEventSlim());
}

public sealed class BlockTaskHandler : ITaskHandler<BlockTask, string>
{
    public Task<string> HandleAsync(BlockTask task, TaskContext context, CancellationToken cancellationToken)
    {
        Executions.Add(new Executions.Entry(context.Queue, task.Label, context.WorkerId, context.Attempt));
        BlockTask.GateOf(task.Label).Wait(TimeSpan.FromSeconds(60), CancellationToken.None);
        return Task.FromResult(task.Label);
    }
}
