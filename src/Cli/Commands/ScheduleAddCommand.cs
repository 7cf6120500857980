using System.CommandLine;
using System.Globalization;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary>
/// <c>dtq schedules add NAME TASK-NAME [PAYLOAD] --queue Q</c> with exactly one timing: <c>--once</c>, <c>--every</c>,
/// <c>--daily</c>, <c>--weekly</c> or <c>--cron</c>. Adding under an existing name replaces that schedule's definition.
/// </summary>
internal static class ScheduleAddCommand
{
    private static readonly Argument<string> Name = new("name") { Description = "The schedule's name (its id); an existing schedule of that name is replaced" };

    private static readonly Argument<string> TaskName = new("task-name") { Description = "The task each fire submits" };

    private static readonly Argument<string?> Payload = new("payload") { Description = "Its JSON payload (default: {})", Arity = ArgumentArity.ZeroOrOne };

    private static readonly Option<string> Queue = new("--queue", "-q") { Description = "The queue it submits to", Required = true };

    private static readonly Option<DateTimeOffset?> Once = new("--once") { Description = "Once, at this time (ISO 8601)" };

    private static readonly Option<int?> Every = new("--every") { Description = "Every N minutes" };

    private static readonly Option<string?> Daily = new("--daily") { Description = "Every day at HH:MM (in --tz)" };

    private static readonly Option<string?> Weekly = new("--weekly") { Description = "Every week on a day at a time, e.g. \"Mon 09:30\" (in --tz)" };

    private static readonly Option<string?> Cron = new("--cron") { Description = "A cron expression: five fields, six with seconds first, or @daily etc. (in --tz)" };

    private static readonly Option<string?> TimeZone = new("--tz") { Description = "IANA time zone of --daily, --weekly and --cron, e.g. Europe/Berlin (default: UTC)" };

    private static readonly Option<string?> Misfire = new("--misfire") { Description = "Occurrences missed while the cluster was down: skip, once (default) or all:N" };

    private static readonly Option<OverlapPolicy?> Overlap = new("--overlap") { Description = "Allow (default) or SkipIfRunning: skip an occurrence while the previous task has not finished" };

    private static readonly Option<TaskPriority?> Priority = new("--priority", "-p") { Description = "Priority of the tasks it submits" };

    private static readonly Option<int?> MaxRetries = new("--max-retries") { Description = "Retries of each task after its first attempt" };

    private static readonly Option<TimeSpan?> TaskTimeout = new("--task-timeout") { Description = "Timeout of one attempt (e.g. 30s)", CustomParser = Durations.ParseOptional };

    public static Command Create()
    {
        var command = new Command("add", "Create or replace a schedule (exactly one of --once, --every, --daily, --weekly, --cron)");
        command.Arguments.Add(Name);
        command.Arguments.Add(TaskName);
        command.Arguments.Add(Payload);
        foreach (var option in new Option[] { Queue, Once, Every, Daily, Weekly, Cron, TimeZone, Misfire, Overlap, Priority, MaxRetries, TaskTimeout })
            command.Options.Add(option);
        command.SetSessionAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliSession session)
    {
        var kind = Timing(session);
        var policies = new SchedulePolicies
        {
            Misfire = ParseMisfire(session.Get(Misfire)),
            Overlap = session.Get(Overlap) ?? OverlapPolicy.Allow,
        };
        var client = await session.ClientAsync();
        var options = new TaskOptions
        {
            Priority = session.Get(Priority),
            Timeout = session.Get(TaskTimeout),
            Retry = session.Get(MaxRetries) is { } retries ? client.Options.DefaultRetry with { MaxRetries = retries } : null,
        };
        var id = await client.Schedules.ScheduleAsync(session.Get(Name)!, session.Get(TaskName)!, session.Get(Payload) ?? "{}", session.Get(Queue)!, kind, options, policies);
        var info = await client.Schedules.GetAsync(id) ?? throw ScheduleCommands.NoSuchSchedule(id.Name);
        session.Output.Write(ScheduleView.Of(info), w => w.WriteLine($"scheduled {id.Name}: {ScheduleText.Timing(info.Definition.Kind)}, next run {CliOutput.Format(info.NextRun)}"));
        return ExitCodes.Ok;
    }

    private static ScheduleKind Timing(CliSession session)
    {
        var zone = session.Get(TimeZone) ?? ScheduleKind.Utc;
        var timings = new List<ScheduleKind>();
        if (session.Get(Once) is { } at) timings.Add(new ScheduleKind.Once(at));
        if (session.Get(Every) is { } minutes) timings.Add(new ScheduleKind.EveryMinutes(minutes));
        if (session.Get(Daily) is { } daily)
        {
            var (hour, minute) = ParseTime(daily, "--daily");
            timings.Add(new ScheduleKind.Daily(hour, minute, zone));
        }
        if (session.Get(Weekly) is { } weekly)
        {
            var parts = weekly.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !TryParseDay(parts[0], out var day))
                throw new CliException(ExitCodes.InvalidInput, $"--weekly takes a day and a time, e.g. \"Mon 09:30\"; was '{weekly}'");
            var (hour, minute) = ParseTime(parts[1], "--weekly");
            timings.Add(new ScheduleKind.Weekly(day, hour, minute, zone));
        }
        if (session.Get(Cron) is { } cron) timings.Add(new ScheduleKind.Cron(cron, zone));
        if (timings.Count != 1)
            throw new CliException(ExitCodes.InvalidInput, $"give exactly one timing (--once, --every, --daily, --weekly, --cron); {timings.Count} given");
        if (session.Get(TimeZone) is not null && timings[0] is ScheduleKind.Once or ScheduleKind.EveryMinutes)
            throw new CliException(ExitCodes.InvalidInput, "--tz applies to --daily, --weekly and --cron only");
        return timings[0];
    }

    private static (int Hour, int Minute) ParseTime(string text, string option) =>
        TimeOnly.TryParseExact(text, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? (time.Hour, time.Minute)
            : throw new CliException(ExitCodes.InvalidInput, $"{option} takes a time as HH:MM (24-hour); was '{text}'");

    private static bool TryParseDay(string text, out DayOfWeek day)
    {
        foreach (var candidate in Enum.GetValues<DayOfWeek>())
        {
            var name = candidate.ToString();
            if (text.Equals(name, StringComparison.OrdinalIgnoreCase) || (text.Length == 3 && name.StartsWith(text, StringComparison.OrdinalIgnoreCase)))
            {
                day = candidate;
                return true;
            }
        }
        day = default;
        return false;
    }

    private static MisfirePolicy ParseMisfire(string? text)
    {
        switch (text?.ToUpperInvariant())
        {
            case null or "ONCE":
                return MisfirePolicy.FireOnce;
            case "SKIP":
                return MisfirePolicy.Skip;
        }
        if (text.StartsWith("all:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
            && limit is >= 1 and <= MisfirePolicy.MaxLimit)
            return MisfirePolicy.FireAll(limit);
        throw new CliException(ExitCodes.InvalidInput, $"--misfire takes skip, once or all:N (N 1-{MisfirePolicy.MaxLimit}); was '{text}'");
    }
}
