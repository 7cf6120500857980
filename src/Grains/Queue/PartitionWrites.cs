namespace DistributedTaskQueue.Queue;

/// <summary>
/// The partition model and its durability: every change is applied through <see cref="Change{T}(Func{T})"/> and acknowledged
/// after the group-commit write that carries it (<see cref="GroupCommit"/>); readers wait for what they are shown to
/// be written. What follows a write inside the model (staged tasks indexed, settled, evicted) happens here; what
/// follows it for callers (waking waiters, dispatch, the next promotion) is the owner's <c>written</c> callback.
/// Runs inside the partition grain's turns.
/// </summary>
internal sealed class PartitionWrites
{
    // Lease marks wait at most this long for a write someone waits for before they go on their own.
    private static readonly TimeSpan SoonDelay = TimeSpan.FromMilliseconds(5);
    private readonly QueuePartition _partition;
    private readonly PartitionStore _store;
    private readonly PartitionMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IGrainBase _grain;
    private readonly string _queue;
    private readonly int _maxResidentTasks;
    private readonly Action<IReadOnlyCollection<long>> _written;
    private readonly GroupCommit _commit;
    private IGrainTimer? _soon;
    private bool _soonDue;

    // written: runs after each write, with the tasks that write finished (their waiters may wake).
    // failed: told once when a write (or what followed it) fails; the owner must reload.
    public PartitionWrites(
        string queue, QueuePartition partition, PartitionStore store, PartitionMetrics metrics, TimeProvider time, IGrainBase grain,
        int maxResidentTasks, Action<IReadOnlyCollection<long>> written, Action<Exception> failed)
    {
        _partition = partition;
        _store = store;
        _metrics = metrics;
        _time = time;
        _grain = grain;
        _queue = queue;
        _maxResidentTasks = maxResidentTasks;
        _written = written;
        _commit = new GroupCommit(BeginWrite, failed);
    }

    /// <summary>A write or a change failed: memory may hold what storage does not, and nothing more is served.</summary>
    public bool IsBroken => _commit.IsBroken;

    /// <summary>Whether a write has landed since activation (so this activation's epoch is durable).</summary>
    public bool HasCommitted => _commit.HasCommitted;

    /// <summary>Throws the unavailability error once the partition is broken.</summary>
    public void ThrowIfBroken() => _commit.ThrowIfBroken();

    /// <summary>Completes after a write that carries every change made before this call.</summary>
    public Task CommitAsync() => _commit.CommitAsync();

    /// <summary>A write nobody waits for: it rides with the next commit, or starts one.</summary>
    public void Request() => _commit.Request();

    /// <summary>
    /// Completes after a write that carries every change made before this call, but starts none at once: it rides with
    /// the next write anyone waits for, or the one a lease mark starts a few milliseconds later (<see cref="RequestSoon"/>).
    /// For a worker's completion report that no caller is waiting on: a quick task then costs one write (its submit's
    /// next one) instead of two, and a submit never queues behind the write of a completion.
    /// </summary>
    public Task CommitLaterAsync()
    {
        var written = _commit.CommitLaterAsync();
        RequestSoon();
        return written;
    }

    /// <summary>
    /// Applies a change to the model. A change that throws part-way (a bug, or data no rule foresaw) leaves memory
    /// that storage may not match: the partition stops serving and reloads, and the caller is told at once.
    /// </summary>
    public T Change<T>(Func<T> change)
    {
        _commit.ThrowIfBroken();
        try
        {
            return change();
        }
        catch (Exception ex) when (ex is not TaskQueueException)
        {
            _commit.Break(ex);
            throw new TaskQueueUnavailableException("The queue partition failed to apply a change and is reloading from storage; retry the call.", ex);
        }
    }

    /// <summary>A change with nothing to return (see <see cref="Change{T}(Func{T})"/>).</summary>
    public void Change(Action change) => Change(() =>
    {
        change();
        return true;
    });

    /// <summary>
    /// Lease marks (Running, the attempt, the lease call) are never waited for: a lease is fenced by its token, unique
    /// even if its mark never lands. So they do not start a write of their own at once, which would put a second write
    /// between a submit's and its completion's on the path of a quick task; they ride with the next write anyone waits
    /// for, or go a few milliseconds later on their own, so a failover still finds them.
    /// </summary>
    public void RequestSoon()
    {
        if (_commit.HasPending || _soonDue) return;
        _soonDue = true;
        _soon ??= _grain.RegisterGrainTimer(WriteSoonAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        _soon.Change(SoonDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The last write of an activation. Lease marks may still wait for a write: the next activation should find them,
    /// and, when <paramref name="recordCleanClose"/> (a failover hold-back is configured), know that nothing was handed
    /// out unwritten, so it need not hold dispatch back. A failure is logged by the write path and not thrown: the marks
    /// only spare live workers a rerun after a failover.
    /// </summary>
    public async Task CloseAsync(bool recordCleanClose)
    {
        // Riders too. Orleans closes an activation only once no call is running, and a report waiting as a rider is one, so
        // the timer has written them by now; this only keeps a later change of that order from leaving a report hanging.
        if (IsBroken || !((recordCleanClose && HasCommitted) || _partition.HasUnwrittenChanges || _commit.HasRiders)) return;
        _partition.Head.ClosedCleanly = true;
        try
        {
            await CommitAsync();
        }
        catch (TaskQueueUnavailableException)
        {
            // Logged by the write path.
        }
    }

    /// <summary>
    /// Waits until what the model holds for these tasks is written: for the write in flight when it carries them (the
    /// common case: a reader right behind a completion), for the next write only when they changed since it began.
    /// </summary>
    public Task WhenWrittenAsync(IEnumerable<long> sequences)
    {
        var needed = Durability.Written;
        foreach (var sequence in sequences)
        {
            var durability = _partition.DurabilityOf(sequence);
            if (durability > needed) needed = durability;
        }
        return needed switch
        {
            Durability.NextWrite => _commit.CommitAsync(),
            Durability.CurrentWrite => _commit.CurrentWrite,
            _ => Task.CompletedTask,
        };
    }

    private Task WriteSoonAsync(CancellationToken cancellationToken)
    {
        _soonDue = false;
        if (_partition.HasUnwrittenChanges || _commit.HasRiders) _commit.Request();
        return Task.CompletedTask;
    }

    /// <summary>Starts one group-commit write: takes what changed, and says what follows once it is durable.</summary>
    private GroupCommit.Batch BeginWrite()
    {
        var staged = _partition.TakeStaged();
        var finished = _partition.TakeFinished();
        var dirty = _partition.TakeDirty();
        var started = _time.GetTimestamp();
        var write = _store.WriteAsync(_partition.Head, dirty);
        return new GroupCommit.Batch(write, () =>
        {
            _metrics.Wrote(_queue, _time.GetElapsedTime(started), dirty.Count);
            _partition.CommitStaged(staged);
            _partition.Settle();
            _partition.Evict(_maxResidentTasks);
            _written(finished);
            // Tombstones of deletes this write confirmed go with the next one.
            if (_store.HasUnwrittenBookkeeping) _commit.Request();
        });
    }
}
