namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Lets through, holds, or fails the workers' reports to the worker directory (a silo's incoming call filter), to show
/// that a report stuck or refused never holds up the worker. Holding a report holds the directory (it is not reentrant).
/// </summary>
public sealed class ReportGate : IIncomingGrainCallFilter
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _mode;
    private volatile string? _holdSilo;
    private int _held;
    private int _failed;

    /// <summary>Starts holding every report (<paramref name="holding"/>) or letting them through.</summary>
    public ReportGate(bool holding) => _mode = holding ? "hold" : "pass";

    public int Held => Volatile.Read(ref _held);

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Holds the reports from now on: those of one silo's worker, or all.</summary>
    public void Hold(string? silo = null)
    {
        _holdSilo = silo;
        _mode = "hold";
    }

    /// <summary>Ends the held reports, and every report until <see cref="Pass"/>, with an exception.</summary>
    public void Fail()
    {
        _mode = "fail";
        _released.TrySetResult();
    }

    public void Pass() => _mode = "pass";

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (_mode != "pass" && context.InterfaceMethod?.Name == nameof(IWorkerDirectoryGrain.ReportAsync)
            && (_holdSilo is null || (context.Request.GetArgument(0) as WorkerInfo)?.Silo == _holdSilo))
        {
            if (_mode == "hold")
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
