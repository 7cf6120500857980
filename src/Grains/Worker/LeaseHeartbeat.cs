namespace DistributedTaskQueue.Worker;

/// <summary>
/// The heartbeat that keeps one consumer's leases: one renewal call for all its running attempts, due one interval
/// after the previous one was sent. A call that has not answered within an interval is given up (renewing is
/// idempotent, so a late answer changes nothing) and the next one goes at once. A call held by a partition silo that
/// died or froze would otherwise hold the heartbeat until the runtime gives up on that silo, and a failover's new
/// activation waits only <c>TaskQueue:FailoverHoldBack</c> (longer than one interval) for renewals before it hands a
/// lease its dead host never wrote to another worker.
/// </summary>
/// <param name="interval">The heartbeat (<c>TaskQueue:Worker:HeartbeatInterval</c>), also the longest a call is waited for.</param>
/// <param name="time">The clock.</param>
/// <param name="running">The leases to renew now (none: that beat sends nothing).</param>
/// <param name="renew">One renewal call; answers the leases that are held no longer.</param>
/// <param name="lost">Told of leases the partition says this worker lost.</param>
/// <param name="failed">Told of a call that failed or did not answer within the interval.</param>
internal sealed class LeaseHeartbeat(
    TimeSpan interval,
    TimeProvider time,
    Func<LeaseToken[]> running,
    Func<LeaseToken[], Task<LeaseToken[]>> renew,
    Action<LeaseToken[]> lost,
    Action<Exception> failed)
{
    /// <summary>Beats until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var wait = interval;
        while (await DelayAsync(wait, stop).ConfigureAwait(false))
        {
            var sent = time.GetTimestamp();
            await BeatAsync().ConfigureAwait(false);
            var took = time.GetElapsedTime(sent);
            wait = took < interval ? interval - took : TimeSpan.Zero;
        }
    }

    private async Task BeatAsync()
    {
        var leases = running();
        if (leases.Length == 0) return;
        try
        {
            var gone = await renew(leases).WaitAsync(interval, time).ConfigureAwait(false);
            if (gone.Length > 0) lost(gone);
        }
        catch (Exception ex)
        {
            failed(ex);
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
