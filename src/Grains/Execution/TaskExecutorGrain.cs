using Orleans.Concurrency;

namespace DistributedTaskQueue.Execution;

/// <summary>
/// Runs what this silo's partition consumers lease: each call serves one session of a consumer's
/// <see cref="ExecutionLane"/> and starts every attempt handed over in it through <see cref="TaskExecutor"/>. One call
/// per session, not per batch or task: see <see cref="ExecutionLane"/> for what a call per refill cost.
/// </summary>
// StatelessWorker: activated on the calling silo (Orleans' StatelessWorkerDirector places it on the local silo while
// that silo is active, and the worker stops before its silo does), the one that holds the leases and whose lanes it
// finds in-process. A call that lands anywhere else finds no lane and runs nothing. Orleans adds activations while
// every one it has serves a session, up to one per core.
// Reentrant: a session waits most of its life, and must never make another lane's session wait for its activation.
[StatelessWorker]
[Reentrant]
[GrainType("taskexecutor")]
internal sealed class TaskExecutorGrain(TaskExecutor executor, ExecutionLanes lanes, TimeProvider time) : Grain, ITaskExecutorGrain, IAttemptRunner
{
    public async Task ServeAsync(long lane, long session)
    {
        var line = lanes.Find(lane)
            ?? throw new InvalidOperationException($"No execution lane {lane} on this silo: the executor serves only its own silo's consumers.");
        line.Open(session, this);
        lanes.SessionOpened();
        for (var wait = line.EndOrWait(session); wait > TimeSpan.Zero; wait = line.EndOrWait(session))
            await line.WaitAsync(wait);
    }

    public void Start(LeasedTask task, ExecutionLane lane)
    {
        lanes.AttemptStarted();
        // Task.Run: off the activation's scheduler and off the consumer's thread (which hands over straight here while a
        // session is open), so attempts run in parallel and a handler that blocks before its first await stalls neither.
        _ = Task.Run(() => RunAsync(task, lane), CancellationToken.None);
    }

    private async Task RunAsync(LeasedTask task, ExecutionLane lane)
    {
        var started = time.GetTimestamp();
        TaskCompletion? completion = null;
        try
        {
            // Started by Task.Run, so no grain context to return to: this continues on the thread pool.
            completion = await executor.RunAsync(task, lane.WorkerId, lane.DefaultTimeout, lane.CancellationOf(task.Lease), lane.Stopping);
        }
        finally
        {
            lane.Finished(task, completion, time.GetElapsedTime(started));
        }
    }
}
