using System.Globalization;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary>Schedules as people read them: the timing in one phrase, then the rows of <c>schedules get</c>.</summary>
internal static class ScheduleText
{
    public static string Timing(ScheduleKind kind) => kind switch
    {
        ScheduleKind.Once once => $"once at {CliOutput.Format(once.At)}",
        ScheduleKind.EveryMinutes every => string.Create(CultureInfo.InvariantCulture, $"every {every.Minutes} min"),
        ScheduleKind.Daily daily => string.Create(CultureInfo.InvariantCulture, $"daily {daily.Hour:00}:{daily.Minute:00} {daily.TimeZoneId}"),
        ScheduleKind.Weekly weekly => string.Create(CultureInfo.InvariantCulture, $"weekly {weekly.Day} {weekly.Hour:00}:{weekly.Minute:00} {weekly.TimeZoneId}"),
        ScheduleKind.Cron cron => $"cron '{cron.Expression}' {cron.TimeZoneId}",
        _ => kind.ToString(),
    };

    public static void Write(TextWriter writer, ScheduleInfo info)
    {
        CliOutput.Rows(writer,
            ("name", info.Id.Name),
            ("timing", Timing(info.Definition.Kind)),
            ("queue", info.Definition.Queue),
            ("task", info.Definition.Task.TaskName),
            ("misfire", info.Definition.Policies.Misfire),
            ("overlap", info.Definition.Policies.Overlap),
            ("paused", info.Paused ? "yes" : "no"),
            ("next run", info.NextRun),
            ("last occurrence", info.LastOccurrence),
            ("last run", info.LastRunAt),
            ("last task", info.LastTaskId),
            ("last task state", info.LastTaskState),
            ("fires", info.FireCount),
            ("triggers", info.TriggerCount),
            ("skips", info.SkipCount),
            ("last error", info.LastError));
        foreach (var fire in info.RecentFires)
            writer.WriteLine($"fired    {CliOutput.Format(fire.Occurrence)} -> {fire.TaskId}{(fire.Manual ? " (manual)" : "")}");
    }
}
