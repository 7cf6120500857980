namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Holds, then fails, then lets through the workers' reports to the worker directory (a silo's incoming call filter), to
/// show that a report stuck or refused never holds up the worker.
/// </summary>
public sealed class ReportGate : IIncomingGrainCallFilter
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _passing;
    private int _held;
    private int _failed;

    public int Held => Volatile.Read(ref _held);

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Ends the held reports, and every report until <see cref="Pass"/>, with an exception.</summary>
    public void Fail() => _released.TrySetResult();

    public void Pass() => _passing = true;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_passing && context.InterfaceMethod?.Name == nameof(IWorkerDirectoryGrain.ReportAsync))
        {
            if (!_released.Task.IsCompleted)
            {
                Interlocked.Increment(ref _held);
                await _released.Task;
            }
            Interlocked.Increment(ref _failed);
            throw new InvalidOperationException("The test refuses this report.");
        }
        await context.Invoke();
    }
}
