namespace DistributedTaskQueue.Execution;

/// <summary>
/// Runs the attempts a silo's partition consumers lease (key 0). A stateless worker: activated on the calling silo,
/// the one that holds the leases, and called only by that silo's own consumers. Internal: no client has a reason to
/// call it, and a call from elsewhere would find no lane and run nothing.
/// </summary>
[Alias("dtq.ITaskExecutorGrain")]
internal interface ITaskExecutorGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Serves one session of a consumer's execution lane: starts the attempts handed over while this call travelled and
    /// every attempt handed over while the session is open, and returns once the lane has been quiet (nothing handed
    /// over, nothing running) for <see cref="ExecutionLane.Linger"/>, or the session is <see cref="ExecutionLane.MaxSession"/>
    /// old. Attempts, their cancels and their outcomes pass in-process through the lane, never with this call.
    /// </summary>
    /// <param name="lane">The lane's key in this silo's <see cref="ExecutionLanes"/>.</param>
    /// <param name="session">The session the consumer asked for; a call for any other session runs nothing.</param>
    /// <exception cref="InvalidOperationException">No such lane on this silo, or the session is not the one asked for: none of it ran.</exception>
    // A session ends within MaxSession plus one check; a minute covers that on a loaded machine.
    [Alias("Serve"), ResponseTimeout("00:01:00")]
    Task ServeAsync(long lane, long session);
}
