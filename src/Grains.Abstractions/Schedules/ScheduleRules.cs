using System.Text;

namespace DistributedTaskQueue;

/// <summary>
/// What a schedule may hold, in one place: the client checks it to refuse early, and the schedule grain checks it
/// again (plus the cron expression itself, which only the silo parses) before anything is stored. Each refusal is an
/// <see cref="InvalidScheduleException"/> whose <see cref="InvalidScheduleException.Field"/> names the field.
/// </summary>
public static class ScheduleRules
{
    /// <summary>Longest interval of <see cref="ScheduleKind.EveryMinutes"/>: 366 days.</summary>
    public const int MaxMinutes = 366 * 24 * 60;

    /// <summary>Longest cron expression, in characters.</summary>
    public const int MaxCronLength = 500;

    /// <summary>Throws when <paramref name="name"/> is not a schedule name: 1-200 characters, no control or invalid characters.</summary>
    public static string ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw new InvalidScheduleException("Name", "The schedule name is empty.");
        if (name.Length > ScheduleId.MaxLength)
            throw new InvalidScheduleException("Name", $"The schedule name is {name.Length} characters long; the limit is {ScheduleId.MaxLength}.");
        foreach (var rune in name.EnumerateRunes())
        {
            // A lone surrogate enumerates as the replacement character: it would not survive a round trip through UTF-8.
            if (Rune.IsControl(rune) || rune == Rune.ReplacementChar)
                throw new InvalidScheduleException("Name", "The schedule name holds a control character or an invalid character.");
        }
        return name;
    }

    /// <summary>
    /// Checks a whole definition except the cron expression's syntax; <paramref name="now"/> bounds how far ahead a
    /// once-schedule may be. Throws <see cref="InvalidScheduleException"/> naming the first bad field.
    /// </summary>
    public static void Validate(ScheduleDefinition definition, TaskQueueOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (definition is null) throw new InvalidScheduleException("Definition", "The schedule definition is missing.");
        if (!QueueNames.IsValid(definition.Queue))
            throw new InvalidScheduleException("Queue", $"Invalid queue name '{definition.Queue}': use 1-100 letters, digits, '_', '-' or '.', starting with a letter or digit.");
        ValidateKind(definition.Kind, now);
        ValidatePolicies(definition.Policies);
        ValidateTask(definition.Task, options, now);
    }

    /// <summary>Checks a timing's numbers and time zone (not the cron syntax).</summary>
    public static void ValidateKind(ScheduleKind? kind, DateTimeOffset now)
    {
        switch (kind)
        {
            case null:
                throw new InvalidScheduleException("Kind", "The schedule has no timing.");
            case ScheduleKind.Once once:
                if (once.At - now > TaskRules.MaxHorizon)
                    throw new InvalidScheduleException("At", $"{once.At:O} is more than {TaskRules.MaxHorizon.TotalDays:0} days ahead.");
                // As far back as ahead: a time in the past fires at once (a missed occurrence), but one at the start of
                // the calendar is a mistake, and arithmetic on it overflows.
                if (now - once.At > TaskRules.MaxHorizon)
                    throw new InvalidScheduleException("At", $"{once.At:O} is more than {TaskRules.MaxHorizon.TotalDays:0} days ago.");
                break;
            case ScheduleKind.EveryMinutes every:
                if (every.Minutes is < 1 or > MaxMinutes)
                    throw new InvalidScheduleException("Minutes", $"An interval must be 1-{MaxMinutes} minutes, was {every.Minutes}.");
                break;
            case ScheduleKind.Daily daily:
                ValidateTimeOfDay(daily.Hour, daily.Minute);
                ResolveTimeZone(daily.TimeZoneId);
                break;
            case ScheduleKind.Weekly weekly:
                if (!Enum.IsDefined(weekly.Day)) throw new InvalidScheduleException("Day", $"Day {(int)weekly.Day} is not a day of the week (0 = Sunday … 6 = Saturday).");
                ValidateTimeOfDay(weekly.Hour, weekly.Minute);
                ResolveTimeZone(weekly.TimeZoneId);
                break;
            case ScheduleKind.Cron cron:
                if (string.IsNullOrWhiteSpace(cron.Expression)) throw new InvalidScheduleException("Cron", "The cron expression is empty.");
                if (cron.Expression.Length > MaxCronLength)
                    throw new InvalidScheduleException("Cron", $"The cron expression is {cron.Expression.Length} characters long; the limit is {MaxCronLength}.");
                ResolveTimeZone(cron.TimeZoneId);
                break;
            default:
                throw new InvalidScheduleException("Kind", $"Unknown schedule timing {kind.GetType().Name}.");
        }
    }

    /// <summary>The time zone with this id (IANA ids such as <c>Europe/Berlin</c>, or <c>UTC</c>); throws when the system has none.</summary>
    public static TimeZoneInfo ResolveTimeZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new InvalidScheduleException("TimeZone", "The time zone id is empty (use \"UTC\").");
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        // SecurityException: the id names a tzdata directory ("Europe"), which the runtime cannot read as a zone file.
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException)
        {
            // No inner exception: this one crosses the wire to the client, and the message says it all.
            throw new InvalidScheduleException("TimeZone", $"Unknown time zone '{id}' ({ex.GetType().Name}): use an IANA id such as \"Europe/Berlin\", or \"UTC\".");
        }
    }

    /// <summary>Checks the misfire and overlap policies.</summary>
    public static void ValidatePolicies(SchedulePolicies? policies)
    {
        if (policies is null) throw new InvalidScheduleException("Policies", "The schedule's policies are missing.");
        if (policies.Misfire is not { } misfire || !Enum.IsDefined(misfire.Action))
            throw new InvalidScheduleException("Policies.Misfire", "The misfire policy must be Skip, FireOnce or FireAll(limit).");
        if (misfire.Action == MisfireAction.FireAll && misfire.Limit is < 1 or > MisfirePolicy.MaxLimit)
            throw new InvalidScheduleException("Policies.Misfire", $"FireAll needs a limit of 1-{MisfirePolicy.MaxLimit}, was {misfire.Limit}.");
        if (!Enum.IsDefined(policies.Overlap))
            throw new InvalidScheduleException("Policies.Overlap", $"Overlap policy {(int)policies.Overlap} is not Allow (0) or SkipIfRunning (1).");
        if (policies.MisfireThreshold < TimeSpan.Zero || policies.MisfireThreshold > SchedulePolicies.MaxMisfireThreshold)
            throw new InvalidScheduleException("Policies.MisfireThreshold", $"The misfire threshold must be 0 to 1 day, was {policies.MisfireThreshold}.");
    }

    /// <summary>
    /// Checks the task a schedule submits by the same rules as a submit (<see cref="TaskRules.Validate"/>), and refuses
    /// the fields a schedule owns: the idempotency key (it sets one per occurrence), a not-before and an expiry time.
    /// </summary>
    public static void ValidateTask(TaskSubmission? task, TaskQueueOptions options, DateTimeOffset now)
    {
        if (task is null) throw new InvalidScheduleException("Task", "The schedule has no task.");
        if (task.IdempotencyKey is not null)
            throw new InvalidScheduleException("Task.IdempotencyKey", "A schedule sets its tasks' idempotency keys itself ({name}:{occurrence}:{incarnation}); do not give one.");
        if (task.NotBefore is not null)
            throw new InvalidScheduleException("Task.NotBefore", "A schedule decides when its tasks start; do not give a not-before time or delay.");
        if (task.ExpiresAt is not null)
            throw new InvalidScheduleException("Task.ExpiresAt", "A fixed expiry time would refuse every later occurrence; do not give one.");
        try
        {
            TaskRules.Validate(task, options, now);
        }
        catch (InvalidTaskException ex)
        {
            throw new InvalidScheduleException($"Task.{ex.Field ?? "Task"}", $"The schedule's task is invalid: {ex.Message}", ex);
        }
    }

    private static void ValidateTimeOfDay(int hour, int minute)
    {
        if (hour is < 0 or > 23) throw new InvalidScheduleException("Hour", $"The hour must be 0-23, was {hour}.");
        if (minute is < 0 or > 59) throw new InvalidScheduleException("Minute", $"The minute must be 0-59, was {minute}.");
    }
}
