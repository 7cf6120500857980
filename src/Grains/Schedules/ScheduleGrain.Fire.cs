using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Schedules;

/// <summary>
/// Firing: a grain timer armed for the exact next occurrence fires it; the reminder only keeps the grain alive (and
/// wakes it after a failover or a restart). Each wake-up asks <see cref="FirePlanner"/> what is due, submits those
/// occurrences under their idempotency keys, then writes the new cursor: a tick twice, late or after a crash between
/// the submit and the write submits the same keys again, and the queue answers with the tasks it already has.
/// </summary>
internal sealed partial class ScheduleGrain
{
    internal const string ReminderName = "dtq-schedule";
    private const int RecentFireCount = 10;

    /// <summary>Longest a timer waits before it looks again (the reminder re-arms it every period anyway).</summary>
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromHours(1);

    private IGrainTimer? _timer;
    private bool? _reminderRegistered;
    private int _failures;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName) return;
        if (!ReminderWanted)
        {
            // A reminder left by a removal or pause that failed half-way, by a create that never stored its state, or a
            // tick already on its way when the reminder went: look it up and drop it if it is still there.
            _reminderRegistered = null;
            await SyncReminderAsync();
            if (!Exists) DeactivateOnIdle();
            return;
        }
        _reminderRegistered ??= true;
        await WakeAsync();
    }

    private Task OnTimerAsync(CancellationToken cancellationToken) => WakeAsync();

    /// <summary>Fires what is due now, records it, and arms the timer for the next occurrence.</summary>
    private async Task WakeAsync()
    {
        if (!Exists || State.Paused || _clock is null)
        {
            Arm();
            return;
        }
        var state = State;
        var policies = Definition.Policies;
        var now = _time.GetUtcNow();
        var plan = FirePlanner.Decide(_clock, state.Cursor, state.DefinedAt, now, policies);
        if (plan.Cursor is not { } cursor)
        {
            Arm();
            return;
        }
        var fires = plan.Fires.ToList();
        var skipped = plan.Skipped;
        List<ScheduleFire> fired;
        string? refusal = null;
        try
        {
            if (policies.Overlap == OverlapPolicy.SkipIfRunning && fires.Count > 0)
            {
                // Several due at once would overlap each other: only the latest may run.
                skipped += fires.Count - 1;
                fires = [fires[^1]];
                if (await PreviousTaskRunningAsync())
                {
                    LogSkippedOverlap(Name, fires[0], state.LastTaskId);
                    skipped += 1;
                    fires.Clear();
                }
            }
            fired = await SubmitAsync(fires, now);
        }
        catch (InvalidTaskException ex)
        {
            // The queue refuses the task now (its handler was undeployed, a limit changed): retrying would refuse again.
            refusal = $"{ScheduleKeys.Format(cursor)}: the queue refused the task: {ex.Message}";
            LogRefused(ex, Name, cursor);
            skipped += fires.Count;
            fired = [];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing recorded: the next try plans the same occurrences and submits the same keys.
            _failures++;
            LogFireFailed(ex, Name, _failures);
            SetTimer(TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(_failures, 10)), _scheduleOptions.ReminderPeriod.TotalSeconds)));
            return;
        }
        _failures = 0;
        state.Cursor = cursor;
        state.SkipCount += skipped;
        state.FireCount += fired.Count;
        foreach (var fire in fired) Record(fire);
        if (fired.Count > 0) state.LastOccurrence = fired[^1].Occurrence;
        if (refusal is not null) state.LastError = refusal;
        else if (fired.Count > 0) state.LastError = null;
        await WriteAsync();
        if (plan.Missed > 0) LogMissed(Name, plan.Missed, policies.Misfire.ToString(), fired.Count, skipped);
        await SyncReminderAsync(); // a once-schedule that fired needs no more waking
        Arm();
    }

    /// <summary>Submits the occurrences, each under its own key, grouped by the partition that key maps to.</summary>
    private async Task<List<ScheduleFire>> SubmitAsync(List<DateTimeOffset> occurrences, DateTimeOffset now)
    {
        var fired = new List<ScheduleFire>(occurrences.Count);
        if (occurrences.Count == 0) return fired;
        var template = Definition.Task;
        var keyed = occurrences.Select(o => (Occurrence: o, Key: ScheduleKeys.ForOccurrence(Name, State.Incarnation, o)));
        foreach (var group in keyed.GroupBy(k => TaskPartitioner.PartitionFor(k.Key, _options.PartitionsPerQueue)))
        {
            var batch = group.ToList();
            var ids = await Partition(batch[0].Key).SubmitAsync([.. batch.Select(b => template with { IdempotencyKey = b.Key })]);
            for (var i = 0; i < batch.Count; i++) fired.Add(new ScheduleFire(batch[i].Occurrence, ids[i], now, Manual: false));
        }
        fired.Sort((a, b) => a.Occurrence.CompareTo(b.Occurrence));
        foreach (var fire in fired) LogFired(Name, fire.Occurrence, fire.TaskId, (now - fire.Occurrence).TotalMilliseconds);
        return fired;
    }

    /// <summary>Whether the schedule's previous task (fired or triggered) is still waiting or running.</summary>
    private async Task<bool> PreviousTaskRunningAsync()
    {
        if (State.LastTaskId is not { } last) return false;
        var info = await GrainFactory.GetGrain<ITaskQueueGrain>(last.PartitionKey).GetTaskAsync(last.Sequence);
        return info?.State is TaskState.Pending or TaskState.Scheduled or TaskState.Running or TaskState.Retrying;
    }

    /// <summary>Arms the timer for the next occurrence, or stops it when none is to come (removed, paused, finished).</summary>
    private void Arm()
    {
        if (NextRun() is not { } next)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        SetTimer(next - _time.GetUtcNow());
    }

    private void SetTimer(TimeSpan wait)
    {
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        if (wait > MaxTimerWait) wait = MaxTimerWait;
        _timer ??= this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// While the schedule has occurrences to come and is not paused (not read from RecordExists: an upsert registers before
    /// it writes). A silo that cannot compute the occurrences keeps the reminder, for silos that can.
    /// </summary>
    private bool ReminderWanted => State.Definition is not null && !State.Paused && (_clock is null || _clock.Next(State.Cursor) is not null);

    /// <summary>
    /// Registers the reminder while the schedule has occurrences to come and is not paused, and unregisters it otherwise.
    /// Talks to the reminder table only when that changes (or is not known yet in this activation).
    /// </summary>
    private async Task SyncReminderAsync()
    {
        var wanted = ReminderWanted;
        if (wanted == _reminderRegistered) return;
        if (wanted)
        {
            var period = _scheduleOptions.ReminderPeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
        }
        else if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        _reminderRegistered = wanted;
    }
}
