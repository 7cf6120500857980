namespace DistributedTaskQueue;

/// <summary>
/// Creating schedules: once, every N minutes, daily, weekly and cron, each for a task record or for a task name with a
/// JSON payload. Every call is an upsert: the name is the schedule's id, and scheduling again under it replaces the
/// definition, recomputes the next run and keeps the history and counts.
/// </summary>
public sealed partial class TaskSchedules
{
    /// <summary>Submits <paramref name="task"/> to <paramref name="queue"/> once, at <paramref name="at"/> (at once if that is past).</summary>
    /// <param name="name">The schedule's name and id: 1-200 characters.</param>
    /// <param name="task">The task each fire submits.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="at">When.</param>
    /// <param name="options">Priority, retry, timeout and result retention of the task (no idempotency key, not-before or expiry).</param>
    /// <param name="policies">Misfire and overlap policies; default: fire missed occurrences once, allow overlap.</param>
    /// <exception cref="InvalidScheduleException">Something is invalid; nothing was stored.</exception>
    public Task<ScheduleId> ScheduleOnceAsync<TResult>(string name, ITask<TResult> task, string queue, DateTimeOffset at, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(task, options), queue, new ScheduleKind.Once(at), policies);

    /// <summary>Submits the task named <paramref name="taskName"/> with <paramref name="payloadJson"/> once, at <paramref name="at"/>.</summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="taskName">The task's stable name.</param>
    /// <param name="payloadJson">Its payload, as JSON.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="at">When.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleOnceAsync(string name, string taskName, string payloadJson, string queue, DateTimeOffset at, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(taskName, payloadJson, options), queue, new ScheduleKind.Once(at), policies);

    /// <summary>Submits <paramref name="task"/> every <paramref name="minutes"/> minutes, counted from now (the first fire is one interval away).</summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="task">The task each fire submits.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="minutes">The interval, 1 minute to 366 days.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleEveryMinutesAsync<TResult>(string name, ITask<TResult> task, string queue, int minutes, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(task, options), queue, new ScheduleKind.EveryMinutes(minutes), policies);

    /// <summary>Submits the named task every <paramref name="minutes"/> minutes.</summary>
    /// <inheritdoc cref="ScheduleEveryMinutesAsync{TResult}(string, ITask{TResult}, string, int, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="taskName">The task's stable name.</param>
    /// <param name="payloadJson">Its payload, as JSON.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="minutes">The interval.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleEveryMinutesAsync(string name, string taskName, string payloadJson, string queue, int minutes, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(taskName, payloadJson, options), queue, new ScheduleKind.EveryMinutes(minutes), policies);

    /// <summary>Submits <paramref name="task"/> every day at <paramref name="hour"/>:<paramref name="minute"/> in <paramref name="timeZone"/> (default UTC).</summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="task">The task each fire submits.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="hour">0-23, local time.</param>
    /// <param name="minute">0-59.</param>
    /// <param name="timeZone">The time zone the time is read in (its daylight-saving rules apply, see the README); null means UTC.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleDailyAsync<TResult>(string name, ITask<TResult> task, string queue, int hour, int minute, TimeZoneInfo? timeZone = null, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(task, options), queue, new ScheduleKind.Daily(hour, minute, ZoneId(timeZone)), policies);

    /// <summary>Submits the named task every day at <paramref name="hour"/>:<paramref name="minute"/>.</summary>
    /// <inheritdoc cref="ScheduleDailyAsync{TResult}(string, ITask{TResult}, string, int, int, TimeZoneInfo?, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="taskName">The task's stable name.</param>
    /// <param name="payloadJson">Its payload, as JSON.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="hour">0-23, local time.</param>
    /// <param name="minute">0-59.</param>
    /// <param name="timeZone">The time zone; null means UTC.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleDailyAsync(string name, string taskName, string payloadJson, string queue, int hour, int minute, TimeZoneInfo? timeZone = null, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(taskName, payloadJson, options), queue, new ScheduleKind.Daily(hour, minute, ZoneId(timeZone)), policies);

    /// <summary>Submits <paramref name="task"/> every week on <paramref name="day"/> at <paramref name="hour"/>:<paramref name="minute"/> in <paramref name="timeZone"/> (default UTC).</summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="task">The task each fire submits.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="day">The day of the week.</param>
    /// <param name="hour">0-23, local time.</param>
    /// <param name="minute">0-59.</param>
    /// <param name="timeZone">The time zone; null means UTC.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleWeeklyAsync<TResult>(string name, ITask<TResult> task, string queue, DayOfWeek day, int hour, int minute, TimeZoneInfo? timeZone = null, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(task, options), queue, new ScheduleKind.Weekly(day, hour, minute, ZoneId(timeZone)), policies);

    /// <summary>Submits the named task every week on <paramref name="day"/> at <paramref name="hour"/>:<paramref name="minute"/>.</summary>
    /// <inheritdoc cref="ScheduleWeeklyAsync{TResult}(string, ITask{TResult}, string, DayOfWeek, int, int, TimeZoneInfo?, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="taskName">The task's stable name.</param>
    /// <param name="payloadJson">Its payload, as JSON.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="day">The day of the week.</param>
    /// <param name="hour">0-23, local time.</param>
    /// <param name="minute">0-59.</param>
    /// <param name="timeZone">The time zone; null means UTC.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleWeeklyAsync(string name, string taskName, string payloadJson, string queue, DayOfWeek day, int hour, int minute, TimeZoneInfo? timeZone = null, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(taskName, payloadJson, options), queue, new ScheduleKind.Weekly(day, hour, minute, ZoneId(timeZone)), policies);

    /// <summary>
    /// Submits <paramref name="task"/> at every instant <paramref name="expression"/> matches in <paramref name="timeZone"/> (default UTC):
    /// five fields (minute hour day-of-month month day-of-week), six with a leading seconds field, or a macro such as <c>@daily</c>.
    /// </summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="task">The task each fire submits.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="expression">The cron expression (Cronos syntax).</param>
    /// <param name="timeZone">The time zone it is read in; null means UTC.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleCronAsync<TResult>(string name, ITask<TResult> task, string queue, string expression, TimeZoneInfo? timeZone = null, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(task, options), queue, new ScheduleKind.Cron(expression, ZoneId(timeZone)), policies);

    /// <summary>Submits the named task at every instant <paramref name="expression"/> matches.</summary>
    /// <inheritdoc cref="ScheduleCronAsync{TResult}(string, ITask{TResult}, string, string, TimeZoneInfo?, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="taskName">The task's stable name.</param>
    /// <param name="payloadJson">Its payload, as JSON.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="expression">The cron expression.</param>
    /// <param name="timeZone">The time zone; null means UTC.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleCronAsync(string name, string taskName, string payloadJson, string queue, string expression, TimeZoneInfo? timeZone = null, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(taskName, payloadJson, options), queue, new ScheduleKind.Cron(expression, ZoneId(timeZone)), policies);

    /// <summary>Creates or replaces a schedule of any timing for a task record (the general form of the calls above).</summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="task">The task each fire submits.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="kind">When it fires.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleAsync<TResult>(string name, ITask<TResult> task, string queue, ScheduleKind kind, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(task, options), queue, kind, policies);

    /// <summary>Creates or replaces a schedule of any timing for a task named by string with a JSON payload.</summary>
    /// <inheritdoc cref="ScheduleOnceAsync{TResult}(string, ITask{TResult}, string, DateTimeOffset, TaskOptions?, SchedulePolicies?)" />
    /// <param name="name">The schedule's name and id.</param>
    /// <param name="taskName">The task's stable name.</param>
    /// <param name="payloadJson">Its payload, as JSON.</param>
    /// <param name="queue">The queue it goes to.</param>
    /// <param name="kind">When it fires.</param>
    /// <param name="options">Options of the task.</param>
    /// <param name="policies">Misfire and overlap policies.</param>
    public Task<ScheduleId> ScheduleAsync(string name, string taskName, string payloadJson, string queue, ScheduleKind kind, TaskOptions? options = null, SchedulePolicies? policies = null) =>
        UpsertAsync(name, () => _client.ScheduledSubmission(taskName, payloadJson, options), queue, kind, policies);

    /// <summary>Checks everything the silo will check except the cron syntax, then upserts (safe to repeat: the same definition twice is one schedule).</summary>
    private async Task<ScheduleId> UpsertAsync(string name, Func<TaskSubmission> submission, string queue, ScheduleKind kind, SchedulePolicies? policies)
    {
        var id = new ScheduleId(name);
        TaskSubmission task;
        try
        {
            task = submission();
        }
        catch (InvalidTaskException ex)
        {
            throw new InvalidScheduleException($"Task.{ex.Field ?? "Task"}", $"The schedule's task is invalid: {ex.Message}", ex);
        }
        var definition = new ScheduleDefinition { Kind = kind, Queue = queue, Task = task, Policies = policies ?? SchedulePolicies.Default };
        ScheduleRules.Validate(definition, _client.Options, _client.Time.GetUtcNow());
        var grain = _client.GrainFactory.GetGrain<IScheduleGrain>(id.Name);
        await _client.Invoke(() => grain.UpsertAsync(definition), repeatable: true).ConfigureAwait(false);
        return id;
    }

    /// <summary>The id the silo looks the zone up by: IANA where the zone has one (a Windows id is converted), so silos on Linux find it.</summary>
    private static string ZoneId(TimeZoneInfo? zone)
    {
        if (zone is null) return ScheduleKind.Utc;
        if (zone.HasIanaId) return zone.Id;
        return TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana : zone.Id;
    }
}
