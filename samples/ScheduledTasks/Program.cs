// Scheduled tasks: one silo in this process (embedded by default; on Redis with an argument such as localhost:6379
// or TaskQueue__Redis), five schedules of the original example, the list of them with their next runs, one triggered
// by hand and its result. The schedules are removed at the end, so the sample leaves nothing firing behind.
using DistributedTaskQueue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScheduledTasks;

var builder = Host.CreateApplicationBuilder(args);
if (args.Length > 0) builder.Configuration["TaskQueue:Redis"] = args[0];
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Orleans", LogLevel.Error);
builder.Logging.AddFilter("Polly", LogLevel.Error);
var silo = builder.UseTaskQueueSilo(silo => silo.Worker.Queues = ["maintenance", "monitoring", "reports"]);
builder.Services.AddTaskHandler<BackupTaskHandler>();
builder.Services.AddTaskHandler<HealthCheckTaskHandler>();
builder.Services.AddTaskHandler<CleanupTaskHandler>();
builder.Services.AddTaskHandler<ReportTaskHandler>();
builder.Services.AddTaskQueueClient();

using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<TaskClient>();
var schedules = client.Schedules;
Console.WriteLine(silo.IsEmbedded ? "Embedded silo (no Redis): schedules live in memory." : $"Silo on Redis {silo.Options.RedisConnectionString}: schedules are durable.");

// The original example's schedules. Each name is the schedule's id: running this again updates them (upsert).
var now = TimeProvider.System.GetUtcNow();
var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
ScheduleId[] ids =
[
    await schedules.ScheduleOnceAsync("Backup Job", new BackupTask("orders"), "maintenance", now.AddHours(1)),
    await schedules.ScheduleEveryMinutesAsync("Health Check", new HealthCheckTask("api"), "monitoring", 30),
    await schedules.ScheduleDailyAsync("Daily Cleanup", new CleanupTask(30), "maintenance", hour: 2, minute: 30),
    await schedules.ScheduleWeeklyAsync("Weekly Report", new ReportTask("weekly sales"), "reports", DayOfWeek.Monday, hour: 9, minute: 0),
    // Working hours in Berlin, whatever its daylight-saving offset: 09:00-17:00 on weekdays, on the hour.
    await schedules.ScheduleCronAsync("Berlin Office Hours", new ReportTask("hourly status"), "reports", "0 9-17 * * MON-FRI", berlin,
        policies: new SchedulePolicies { Misfire = MisfirePolicy.Skip, Overlap = OverlapPolicy.SkipIfRunning }),
];

Console.WriteLine($"{ids.Length} schedules:");
await foreach (var schedule in schedules.ListAllAsync())
{
    Console.WriteLine($"  {schedule.Id,-20} {Describe(schedule.Definition.Kind),-42} queue {schedule.Definition.Queue,-12} next {schedule.NextRun:yyyy-MM-dd HH:mm} UTC");
}

// Trigger one now instead of waiting half an hour, and wait for its result.
var taskId = await schedules.TriggerAsync("Health Check") ?? throw new InvalidOperationException("Health Check is missing");
Console.WriteLine($"Triggered 'Health Check' as task {taskId}: {await client.WaitForResultAsync<string>(taskId, TimeSpan.FromSeconds(30))}");
var health = await schedules.GetAsync("Health Check");
Console.WriteLine($"'Health Check': triggered {health?.TriggerCount}, fired {health?.FireCount}, last task {health?.LastTaskId} is {health?.LastTaskState}, next run {health?.NextRun:HH:mm:ss} UTC");

await schedules.PauseAsync("Weekly Report");
Console.WriteLine($"'Weekly Report' paused: next run {(await schedules.GetAsync("Weekly Report"))?.NextRun?.ToString("O") ?? "none"}");

foreach (var id in ids) await schedules.RemoveAsync(id);
Console.WriteLine($"Removed them; {(await schedules.ListAsync()).Schedules.Count} left.");
await host.StopAsync();

static string Describe(ScheduleKind kind) => kind switch
{
    ScheduleKind.Once once => $"once at {once.At:yyyy-MM-dd HH:mm} UTC",
    ScheduleKind.EveryMinutes every => $"every {every.Minutes} minutes",
    ScheduleKind.Daily daily => $"daily at {daily.Hour:00}:{daily.Minute:00} {daily.TimeZoneId}",
    ScheduleKind.Weekly weekly => $"{weekly.Day}s at {weekly.Hour:00}:{weekly.Minute:00} {weekly.TimeZoneId}",
    ScheduleKind.Cron cron => $"cron '{cron.Expression}' {cron.TimeZoneId}",
    _ => kind.ToString(),
};
