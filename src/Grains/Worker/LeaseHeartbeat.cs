namespace DistributedTaskQueue.Worker;

/// <summary>
/// The heartbeat that keeps one consumer's leases: one renewal call for all its running attempts, due one interval
/// after the previous one was sent.
/// <list type="bullet">
/// <item>The heartbeat waits for a call at most one interval, then sends the next one. A call held by a partition silo
/// that died or froze would otherwise hold the heartbeat until the runtime gives up on that silo. A failover's new
/// activation waits only <c>TaskQueue:FailoverHoldBack</c> (longer than one interval) for renewals, then hands a lease
/// its dead host never wrote to another worker.</item>
/// <item>A call given up on is still heard: leases it answers lost are lost whenever it answers. So a partition too
/// slow to answer within an interval still stops this worker's attempts it no longer holds. Calls never go faster than
/// one an interval, healthy or not, so a slow partition is sent no more than a healthy one.</item>
/// <item>The callbacks cannot stop the heartbeat: one that throws is reported as a failed beat, and a throwing
/// <c>failed</c> is ignored.</item>
/// </list>
/// </summary>
/// <param name="interval">The heartbeat (<c>TaskQueue:Worker:HeartbeatInterval</c>), also the longest a call holds the next one back.</param>
/// <param name="time">The clock.</param>
/// <param name="running">The leases to renew now (none: that beat sends nothing).</param>
/// <param name="renew">One renewal call; answers the leases that are held no longer.</param>
/// <param name="lost">Told of leases the partition says this worker lost, by any call, however late.</param>
/// <param name="failed">Told of a call that failed, or did not answer within the interval.</param>
internal sealed class LeaseHeartbeat(
    TimeSpan interval,
    TimeProvider time,
    Func<LeaseToken[]> running,
    Func<LeaseToken[], Task<LeaseToken[]>> renew,
    Action<LeaseToken[]> lost,
    Action<Exception> failed)
{
    /// <summary>Beats until <paramref name="stop"/>; returns at once when it fires, without waiting for a call.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var wait = interval;
        while (await DelayAsync(wait, stop).ConfigureAwait(false))
        {
            var sent = time.GetTimestamp();
            await BeatAsync(stop).ConfigureAwait(false);
            var took = time.GetElapsedTime(sent);
            wait = took < interval ? interval - took : TimeSpan.Zero;
        }
    }

    private async Task BeatAsync(CancellationToken stop)
    {
        LeaseToken[] leases;
        try
        {
            leases = running();
        }
        catch (Exception ex)
        {
            Report(ex);
            return;
        }
        if (leases.Length == 0) return;
        try
        {
            await CallAsync(leases).WaitAsync(interval, time, stop).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            // The call goes on; CallAsync still acts on its answer.
            Report(ex);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutting down: the heartbeat ends now, not when the call answers.
        }
    }

    /// <summary>One renewal, acting on its answer whenever it comes. Never throws.</summary>
    private async Task CallAsync(LeaseToken[] leases)
    {
        try
        {
            var gone = await renew(leases).ConfigureAwait(false);
            if (gone.Length > 0) lost(gone);
        }
        catch (Exception ex)
        {
            Report(ex);
        }
    }

    private void Report(Exception ex)
    {
        try
        {
            failed(ex);
        }
        catch (Exception)
        {
            // Reporting is best effort (a logger that throws); the heartbeat must go on regardless.
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
