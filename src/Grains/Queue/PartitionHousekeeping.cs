namespace DistributedTaskQueue.Queue;

/// <summary>
/// The partition's clock-driven transitions: delayed tasks promoted the moment they are due (a one-shot timer armed
/// for the next due time), and once a second leases expired, retention applied, memory trimmed, read-ahead resumed and
/// parked polls served (which is how the end of a failover hold reaches them). Each persists through <see cref="PartitionWrites"/> and hands what became
/// leasable to parked workers (<c>dispatch</c>). Runs inside the partition grain's turns.
/// </summary>
internal sealed class PartitionHousekeeping
{
    /// <summary>The tick's period: lease expiry, retention and read-ahead retries run this often.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    private readonly QueuePartition _partition;
    private readonly PartitionWrites _writes;
    private readonly ColdSegmentReader _cold;
    private readonly PartitionOptions _options;
    private readonly TimeProvider _time;
    private readonly Action _dispatch;
    private readonly PromotionTimer _promotion;
    private DateTimeOffset _nextCleanup;

    public PartitionHousekeeping(IGrainBase grain, QueuePartition partition, PartitionWrites writes, ColdSegmentReader cold, PartitionOptions options, TimeProvider time, Action dispatch)
    {
        _partition = partition;
        _writes = writes;
        _cold = cold;
        _options = options;
        _time = time;
        _dispatch = dispatch;
        _promotion = new PromotionTimer(grain, time, PromoteNow);
        _nextCleanup = time.GetUtcNow() + options.CleanupInterval;
        grain.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });
    }

    /// <summary>Arms the promotion timer for the next due time (called after every write, promotion and activation).</summary>
    public void SchedulePromotion()
    {
        if (!_writes.IsBroken && _partition.NextDue is { } due) _promotion.Arm(due, _partition.PromotionAwaitsReads, TickPeriod);
    }

    /// <summary>A cold segment was read back (or found lost): leasing can go on, and delayed tasks that waited for it are due.</summary>
    public void SegmentWarmed()
    {
        if (_partition.NextDue is { } due && due <= _time.GetUtcNow()) PromoteNow();
        _dispatch();
    }

    /// <summary>Promotes what is due, hands it to parked workers, reads ahead for what is due next, and re-arms the timer.</summary>
    private void PromoteNow()
    {
        if (_writes.IsBroken) return;
        var now = _time.GetUtcNow();
        if (_writes.Change(() => _partition.PromoteDue(now)) > 0)
        {
            _promotion.Promoted(now);
            _writes.Request();
            _dispatch();
        }
        _cold.Prefetch();
        SchedulePromotion();
    }

    private Task TickAsync(CancellationToken cancellationToken)
    {
        if (_writes.IsBroken) return Task.CompletedTask;
        var now = _time.GetUtcNow();
        var changed = _writes.Change(() =>
        {
            var changed = _partition.PromoteDue(now) + _partition.ExpireLeases(now);
            if (now >= _nextCleanup)
            {
                _nextCleanup = now + _options.CleanupInterval;
                changed += _partition.RemoveExpired(now);
            }
            _partition.Evict(_options.MaxResidentTasks);
            return changed;
        });
        _partition.ForgetOldSubmits(now);
        if (changed > 0 || _partition.HasUnwrittenChanges) _writes.Request();
        // Parked polls are served on every tick, not only after a change: the end of a failover hold changes nothing that
        // is written, and it was announced only by a tick landing within a second of it. A starved silo's late tick
        // missed that second, and the workers' parked polls then took turns timing out behind each other's (a new poll
        // parks while another is parked) beside tasks that stayed Pending until the next submit: hundreds of
        // acknowledged tasks after a Redis restart under load (RedisRestartTests). Serving nobody costs a peek.
        _dispatch();
        // Reads ahead for what comes due in the next seconds (and retries a read a due task waits for that failed).
        _cold.Prefetch();
        SchedulePromotion();
        return Task.CompletedTask;
    }
}
