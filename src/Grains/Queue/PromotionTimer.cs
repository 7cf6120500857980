namespace DistributedTaskQueue.Queue;

/// <summary>
/// One one-shot grain timer armed for the next due time of a partition's delayed tasks, whenever it is (the grain's
/// one-second tick only backs it up). Arming is called after every write, promotion and activation, so it changes the
/// timer only when the due time is earlier than the one it is armed for: a comparison on the write path.
/// </summary>
internal sealed class PromotionTimer(IGrainBase grain, TimeProvider time, Action promote)
{
    /// <summary>
    /// Promotions are at least this far apart, so tasks due a millisecond apart share one promotion and one write
    /// (10,000 due over 10 s cost 200 timer turns a second, not 1,000), at a cost of at most this much lateness.
    /// </summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    /// <summary>A timer for a due time days away is armed for this instead, and re-armed when it fires.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    private IGrainTimer? _timer;
    private DateTimeOffset? _armedFor;
    private DateTimeOffset _lastPromotion;

    /// <summary>Tasks were promoted at <paramref name="at"/>: the next promotion is at least <see cref="Gap"/> later.</summary>
    public void Promoted(DateTimeOffset at) => _lastPromotion = at;

    /// <summary>
    /// Arms the timer for <paramref name="due"/> unless it is armed for earlier. A task already due that waits for its
    /// segment's read is promoted when the read lands, so the timer only backs that up after <paramref name="retry"/>.
    /// </summary>
    public void Arm(DateTimeOffset due, bool awaitsReads, TimeSpan retry)
    {
        var now = time.GetUtcNow();
        if (due <= now && awaitsReads) due = now + retry;
        if (due < _lastPromotion + Gap) due = _lastPromotion + Gap;
        if (_armedFor is { } armed && armed <= due) return;
        var wait = WaitFor(due - now);
        _timer ??= grain.RegisterGrainTimer(FireAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
        _armedFor = now + wait;
    }

    /// <summary>The timer's wait for a due time this far away: never negative, at most <see cref="LongestWait"/>.</summary>
    internal static TimeSpan WaitFor(TimeSpan untilDue) =>
        untilDue <= TimeSpan.Zero ? TimeSpan.Zero
        : untilDue > LongestWait ? LongestWait
        // Whole milliseconds, rounded up: the timer truncates, and a timer that fires early promotes nothing.
        : TimeSpan.FromMilliseconds(Math.Ceiling(untilDue.TotalMilliseconds));

    private Task FireAsync(CancellationToken cancellationToken)
    {
        _armedFor = null;
        promote();
        return Task.CompletedTask;
    }
}
