using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Schedules;

/// <summary>
/// Owns one schedule (key: its name): validates and stores its definition (upsert), pauses, resumes, triggers and
/// removes it. Firing lives in ScheduleGrain.Fire.cs. Not reentrant: a fire, an update and a removal never interleave.
/// Every change is written before it is acknowledged; a refused definition stores nothing.
/// </summary>
internal sealed partial class ScheduleGrain : Grain, IScheduleGrain, IRemindable
{
    /// <summary>The grain storage provider that holds schedules and the schedule directory.</summary>
    public const string StorageName = "dtq-schedules";

    private readonly IPersistentState<ScheduleState> _state;
    private readonly TaskQueueOptions _options;
    private readonly bool _refuseUnknownTaskNames;
    private readonly ScheduleOptions _scheduleOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<ScheduleGrain> _logger;
    private ScheduleClock? _clock;

    public ScheduleGrain(
        [PersistentState("schedule", StorageName)] IPersistentState<ScheduleState> state,
        IServiceProvider services,
        IOptions<TaskQueueOptions> options,
        IOptions<PartitionOptions> partitionOptions,
        IOptions<ScheduleOptions> scheduleOptions,
        ILogger<ScheduleGrain> logger)
    {
        _state = state;
        _options = options.Value;
        _refuseUnknownTaskNames = partitionOptions.Value.RefuseUnknownTaskNames;
        _scheduleOptions = scheduleOptions.Value;
        _time = services.GetKeyedService<TimeProvider>(ScheduleOptions.ClockServiceKey) ?? services.GetRequiredService<TimeProvider>();
        _logger = logger;
    }

    private string Name => this.GetPrimaryKeyString();

    private bool Exists => _state.RecordExists && _state.State.Definition is not null;

    private ScheduleState State => _state.State;

    private ScheduleDefinition Definition => _state.State.Definition!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Exists) return; // reads never write: a schedule that does not exist stays that way
        try
        {
            _clock = ScheduleClock.For(Definition.Kind, State.DefinedAt);
        }
        catch (InvalidScheduleException ex)
        {
            // The silo lacks what the schedule was validated against (a time zone this host's tzdata does not have).
            LogCannotCompute(ex, Name);
            return;
        }
        try
        {
            // Repairs a directory entry lost to a crash between the entry and the state write.
            await Directory(Name).AddAsync(Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDirectoryFailed(ex, Name);
        }
        Arm();
    }

    public async Task<ScheduleInfo> UpsertAsync(ScheduleDefinition definition)
    {
        var name = ScheduleRules.ValidateName(Name);
        var now = _time.GetUtcNow();
        // The owner checks everything itself, whatever the client checked: nothing invalid is ever stored.
        ScheduleRules.Validate(definition, _options, now);
        var clock = ScheduleClock.For(definition.Kind, now);
        if (definition.Kind is not ScheduleKind.Once && clock.Next(now) is null)
            throw new InvalidScheduleException("Cron", $"Schedule '{name}' would never fire (its cron expression matches no date, such as 30 February).");
        await RefuseUnknownTaskNameAsync(definition.Task.TaskName);

        var existed = Exists;
        // An update that keeps the timing keeps the schedule's place, so occurrences it missed still follow the misfire
        // policy (an app that upserts its schedules at every start does not reset them); a new timing starts from now.
        // Everything is computed before anything changes: a refused call must leave the state as it was.
        var retimed = !existed || State.Definition!.Kind != definition.Kind;
        var definedAt = retimed ? now : State.DefinedAt;
        var cursor = !retimed ? State.Cursor
            : definition.Kind is ScheduleKind.Once once && once.At <= now ? once.At - TimeSpan.FromTicks(1) : now;
        var nextClock = ScheduleClock.For(definition.Kind, definedAt);

        if (!existed) _state.State = new ScheduleState { CreatedAt = now, Incarnation = ScheduleKeys.NewIncarnation() };
        var state = State;
        state.DefinedAt = definedAt;
        state.Cursor = cursor;
        state.Definition = definition;
        state.UpdatedAt = now;
        _clock = nextClock;

        try
        {
            await Directory(name).AddAsync(name);
            await SyncReminderAsync(); // before the state: a stored schedule must never lack the reminder that wakes it
            await WriteAsync();
        }
        catch
        {
            DeactivateOnIdle(); // memory is ahead of storage: reload
            throw;
        }
        LogUpserted(name, existed ? "updated" : "created", definition.Kind, definition.Queue);
        Arm();
        return await SnapshotAsync(includeTaskState: false);
    }

    public async Task<ScheduleInfo?> GetAsync() => Exists ? await SnapshotAsync(includeTaskState: true) : null;

    public async Task<bool> PauseAsync()
    {
        if (!Exists) return false;
        if (State.Paused) return true;
        State.Paused = true;
        State.UpdatedAt = _time.GetUtcNow();
        await WriteAsync();
        await SyncReminderAsync();
        Arm();
        return true;
    }

    public async Task<bool> ResumeAsync()
    {
        if (!Exists) return false;
        if (!State.Paused) return true;
        var now = _time.GetUtcNow();
        State.Paused = false;
        State.UpdatedAt = now;
        // Pausing means "do not fire": what came due meanwhile is not a misfire to catch up on.
        if (State.Cursor < now) State.Cursor = now;
        await SyncReminderAsync();
        await WriteAsync();
        Arm();
        return true;
    }

    public async Task<TaskId?> TriggerAsync()
    {
        if (!Exists) return null;
        var now = _time.GetUtcNow();
        // Each trigger is a task of its own: a clock that gives an instant twice (a fake clock, one stepped back) must
        // not key two triggers alike, or the queue would answer the second with the first's task.
        var at = State.LastTriggeredAt is { } last && now <= last ? last.AddTicks(1) : now;
        var submission = Definition.Task with { IdempotencyKey = ScheduleKeys.ForTrigger(Name, State.Incarnation, at) };
        var id = (await Partition(submission.IdempotencyKey).SubmitAsync([submission]))[0];
        State.TriggerCount++;
        State.LastTriggeredAt = at;
        Record(new ScheduleFire(at, id, now, Manual: true));
        await WriteAsync();
        LogTriggered(Name, id);
        return id;
    }

    public async Task<bool> RemoveAsync()
    {
        var existed = Exists;
        if (existed)
        {
            try
            {
                await _state.ClearStateAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The delete may have landed with its answer lost: this activation's ETag is then stale, so every retry
                // here would fail, and its timer could still fire the removed schedule. A fresh activation reads what is stored.
                LogWriteFailed(ex, Name);
                _timer?.Dispose();
                _timer = null;
                DeactivateOnIdle();
                throw new TaskQueueUnavailableException($"Removing schedule '{Name}' failed; the outcome is unknown, retry the call.", ex);
            }
        }
        _clock = null;
        Arm();
        await SyncReminderAsync();
        await Directory(Name).RemoveAsync(Name);
        if (existed) LogRemoved(Name);
        DeactivateOnIdle();
        return existed;
    }

    private async Task<ScheduleInfo> SnapshotAsync(bool includeTaskState)
    {
        var state = State;
        TaskState? taskState = null;
        if (includeTaskState && state.LastTaskId is { } last)
        {
            try
            {
                taskState = (await GrainFactory.GetGrain<ITaskQueueGrain>(last.PartitionKey).GetTaskAsync(last.Sequence))?.State;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTaskStateUnavailable(ex, Name, last);
            }
        }
        return new ScheduleInfo
        {
            Id = new ScheduleId(Name),
            Definition = state.Definition!,
            CreatedAt = state.CreatedAt,
            Incarnation = state.Incarnation,
            UpdatedAt = state.UpdatedAt,
            Paused = state.Paused,
            NextRun = NextRun(),
            LastOccurrence = state.LastOccurrence,
            LastRunAt = state.LastRunAt,
            LastTaskId = state.LastTaskId,
            LastTaskState = taskState,
            FireCount = state.FireCount,
            TriggerCount = state.TriggerCount,
            SkipCount = state.SkipCount,
            LastError = state.LastError,
            RecentFires = state.RecentFires,
        };
    }

    private DateTimeOffset? NextRun() => Exists && !State.Paused ? _clock?.Next(State.Cursor) : null;

    /// <summary>Refuses a task name no connected worker handles (the partition would refuse every fire); an unreadable catalog refuses nothing.</summary>
    private async Task RefuseUnknownTaskNameAsync(string taskName)
    {
        if (!_refuseUnknownTaskNames) return;
        TaskCatalog catalog;
        try
        {
            catalog = await GrainFactory.GetGrain<ITaskCatalogGrain>(0).GetAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCatalogUnavailable(ex);
            return;
        }
        if (catalog.MayHandle(taskName)) return;
        var known = string.Join(", ", catalog.Names.Order(StringComparer.Ordinal).Take(20));
        throw new InvalidScheduleException("Task.TaskName", $"No connected worker handles task '{taskName}' (workers handle: {known}).");
    }

    /// <summary>A failed write leaves memory ahead of storage: drop this activation so the next one reloads what is stored.</summary>
    private async Task WriteAsync()
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWriteFailed(ex, Name);
            DeactivateOnIdle();
            throw new TaskQueueUnavailableException($"Writing schedule '{Name}' failed; the outcome is unknown, retry the call.", ex);
        }
    }

    private void Record(ScheduleFire fire)
    {
        State.LastTaskId = fire.TaskId;
        State.LastRunAt = fire.FiredAt;
        State.RecentFires = [fire, .. State.RecentFires.Take(RecentFireCount - 1)];
    }

    private ITaskQueueGrain Partition(string idempotencyKey) =>
        GrainFactory.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(Definition.Queue, TaskPartitioner.PartitionFor(idempotencyKey, _options.PartitionsPerQueue)));

    private IScheduleDirectoryGrain Directory(string name) => GrainFactory.GetGrain<IScheduleDirectoryGrain>(ScheduleDirectory.ShardOf(name));
}
