namespace DistributedTaskQueue.Queue;

/// <summary>
/// Hands out leases: at once while tasks are pending, else to long polls parked until a write makes tasks leasable.
/// Recognizes a retried lease call by its number (its tasks come back, recorded per call), and remembers where each
/// worker's lease holder hears cancels. Runs inside the partition grain's turns.
/// </summary>
internal sealed class PartitionDispatch(QueuePartition partition, PartitionWrites writes, ColdSegmentReader cold, TimeProvider time, Func<bool> siloStopping)
{
    /// <summary>Most tasks one lease call may ask for.</summary>
    public const int MaxBatch = 10_000;

    private readonly LeaseWaiters _waiters = new(time);
    private readonly Dictionary<string, ILeaseHolder> _holders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastRequest = new(StringComparer.Ordinal);

    public async Task<LeasedTask[]> LeaseAsync(string workerId, long requestId, int max, TimeSpan wait, ILeaseHolder? holder)
    {
        max = Math.Clamp(max, 0, MaxBatch);
        // This activation's epoch must be durable before it fences any lease (a lease granted under an epoch a
        // later activation reuses could match a zombie's completion). A partition with nothing to lease writes
        // nothing: the worker parks, and the first submit's write makes the epoch durable.
        if (!writes.HasCommitted && partition.HasPending) await writes.CommitAsync();
        if (holder is not null) _holders[workerId] = holder;
        // A retry of a call whose reply was lost gets that call's tasks back (they are recorded durably per call).
        // Only a number not above the last one seen (or the first call a new activation sees) can be a retry,
        // so the scan over running leases stays off the ordinary lease path.
        var maybeRetry = !_lastRequest.TryGetValue(workerId, out var last) || requestId <= last;
        _lastRequest[workerId] = requestId;
        if (maybeRetry)
        {
            var reclaimed = writes.Change(() => partition.Reclaim(workerId, requestId, max, time.GetUtcNow()));
            if (partition.HasUnwrittenChanges) writes.Request(); // extras went back in line
            if (reclaimed.Count > 0) return [.. reclaimed];
        }
        if (max == 0) return [];
        // Calls parked earlier come first; serving them here too means a poll never parks behind another beside leasable
        // tasks, whatever wake-up was missed.
        if (!_waiters.IsEmpty) ServeParked();
        var leased = _waiters.IsEmpty && writes.HasCommitted ? writes.Change(() => partition.Lease(workerId, requestId, max, time.GetUtcNow())) : [];
        cold.Prefetch();
        if (leased.Count > 0)
        {
            writes.RequestSoon();
            return [.. leased];
        }
        // A silo about to deactivate its grains parks nothing: a parked poll would hold the deactivation up (LocalPartitions).
        if (wait <= TimeSpan.Zero || siloStopping()) return [];
        return await _waiters.ParkAsync(new LeaseWaiters.Waiter(workerId, requestId, max), wait);
    }

    /// <summary>Hands what is leasable now to parked calls, in arrival order (after each write, promotion or release).</summary>
    public void ServeParked()
    {
        if (writes.IsBroken || _waiters.IsEmpty) return;
        if (!writes.HasCommitted)
        {
            // No lease before this activation's epoch is durable: the write dispatches again when it lands.
            if (partition.HasPending) writes.Request();
            return;
        }
        var served = _waiters.Serve(waiter => partition.HasPending && !partition.Paused
            ? writes.Change(() => partition.Lease(waiter.WorkerId, waiter.RequestId, waiter.Max, time.GetUtcNow()))
            : []);
        cold.Prefetch();
        if (served > 0) writes.RequestSoon();
    }

    /// <summary>Tells the worker that holds <paramref name="attempt"/> to stop it (one-way; it reports the task Cancelled).</summary>
    public void CancelRunning(string workerId, LeaseToken attempt)
    {
        if (_holders.TryGetValue(workerId, out var holder)) holder.CancelAsync([attempt]).Ignore();
    }

    /// <summary>Ends the parked calls of one worker (or of all, when null) at once, with no tasks.</summary>
    public void EndParked(string? workerId) => _waiters.Release(workerId);

    /// <summary>Ends the parked calls of workers that are gone, so nothing released is handed back to them.</summary>
    public void EndParkedOf(Func<string, bool> isGone) => _waiters.ReleaseWhere(isGone);
}
