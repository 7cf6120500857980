using System.Diagnostics;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// 10,000 schedules firing dtq.noop every minute on one silo, with the reminder period as shipped (1 minute): time to
/// create them (64 in flight) and to list them page by page (100 a page); silo RSS and Redis bytes per schedule (before
/// their first fire); then, after every schedule has fired at least three times, fire lateness (the fired task's
/// EnqueuedAt minus its occurrence) p50 / p99 / max over every fire, and duplicates: tasks for one occurrence beyond
/// the first (from each schedule's recent fires) and tasks in the queue beyond the fires the schedules counted.
/// One run (it takes over four minutes; <c>--quick</c>: 1,000 schedules, one fire each).
/// </summary>
internal static class Schedules
{
    private const int WorkerConcurrency = 8;
    private const int InFlight = 64;
    private const int PageSize = 100;

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var count = options.TasksOr(10_000, 1_000);
        var fires = options.Quick ? 1 : 3;
        var report = new Report("schedules");
        report.Set("settings.schedules", count);
        report.Set("settings.every_minutes", 1);
        report.Set("settings.reminder_period", "1 min (as shipped)");
        report.Set("settings.fires_per_schedule_observed", fires);
        report.Set("settings.create_in_flight", InFlight);
        report.Set("settings.list_page_size", PageSize);
        report.Set("settings.worker_concurrency", WorkerConcurrency);
        report.Set("settings.silos", 1);
        report.Set("settings.lateness", "TaskInfo.EnqueuedAt of the fired task minus the occurrence it fired for");
        report.Set("settings.runs", "one run, whatever --runs says (it takes minutes)");

        await using var cluster = await BenchCluster.StartAsync(1, WorkerConcurrency, SiloKind.Stock, cancellationToken);
        await cluster.WarmUpAsync(2_000, cancellationToken);
        var client = cluster.Client;
        var silo = cluster.Silos[0];
        var queueBefore = Total(await client.GetQueueStatsAsync(BenchCluster.Queue));
        var rss0 = silo.ResidentBytes();
        var memory0 = await cluster.Redis.UsedMemoryBytesAsync();

        var clock = Stopwatch.StartNew();
        await Load.RunBoundedAsync(count, InFlight, i =>
            client.Schedules.ScheduleEveryMinutesAsync($"bench-s{i}", BuiltInTasks.NoOp, "null", BenchCluster.Queue, 1), cancellationToken);
        var created = clock.Elapsed;
        var createdAt = TimeProvider.System.GetUtcNow();
        Console.WriteLine($"   created {count:N0} schedules in {created.TotalSeconds:0.0} s ({count / created.TotalSeconds:N0}/s)");
        report.Add("create_seconds", Summary.Of([created.TotalSeconds]), 2);
        report.Add("create_per_sec", Summary.Of([count / created.TotalSeconds]), 0);

        // Memory before the first fires (each fires a minute after it was created): the schedules alone.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var rss1 = silo.ResidentBytes();
        var memory1 = await cluster.Redis.UsedMemoryBytesAsync();
        Console.WriteLine($"   silo RSS {rss0 / 1048576.0:N0} -> {rss1 / 1048576.0:N0} MB ({(rss1 - rss0) / (double)count:N0} bytes a schedule); redis +{(memory1 - memory0) / (double)count:N0} bytes a schedule");
        report.Add("silo_rss_before_mb", Summary.Of([rss0 / 1048576.0]), 1);
        report.Add("silo_rss_with_schedules_mb", Summary.Of([rss1 / 1048576.0]), 1);
        report.Add("silo_rss_bytes_per_schedule", Summary.Of([(rss1 - rss0) / (double)count]), 0);
        report.Add("redis_bytes_per_schedule", Summary.Of([(memory1 - memory0) / (double)count]), 0);

        clock.Restart();
        var listed = 0;
        var pages = 0;
        string? token = null;
        do
        {
            var page = await client.Schedules.ListAsync(PageSize, token);
            listed += page.Schedules.Count;
            pages++;
            token = page.NextPageToken;
        }
        while (token is not null);
        var listing = clock.Elapsed;
        Console.WriteLine($"   listed {listed:N0} schedules in {pages} pages in {listing.TotalSeconds:0.00} s");
        if (listed != count) throw new InvalidOperationException($"listed {listed} schedules, created {count}");
        report.Add("list_all_seconds", Summary.Of([listing.TotalSeconds]), 2);
        report.Set("list_pages", pages);

        // Every schedule fires `fires` times: the last one created fires at createdAt + fires minutes.
        var until = createdAt + TimeSpan.FromMinutes(fires) + TimeSpan.FromSeconds(15);
        while (TimeProvider.System.GetUtcNow() < until)
        {
            var stats = await client.GetQueueStatsAsync(BenchCluster.Queue);
            Console.WriteLine($"   {TimeProvider.System.GetUtcNow():HH:mm:ss}: {Total(stats) - queueBefore:N0} tasks fired so far; silo RSS {silo.ResidentBytes() / 1048576.0:N0} MB");
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
        }

        var infos = new List<ScheduleInfo>(count);
        await foreach (var info in client.Schedules.ListAllAsync(1_000, cancellationToken)) infos.Add(info);
        var fired = infos.SelectMany(s => s.RecentFires.Where(f => !f.Manual).Select(f => (Schedule: s.Id, Fire: f))).ToList();
        var duplicateFires = fired.GroupBy(f => (f.Schedule, f.Fire.Occurrence)).Sum(g => g.Select(f => f.Fire.TaskId).Distinct().Count() - 1);
        var fireCount = infos.Sum(s => s.FireCount);
        var skipCount = infos.Sum(s => s.SkipCount);
        var fewest = infos.Min(s => s.FireCount);
        var lateness = new double[fired.Count];
        await Load.RunBoundedAsync(fired.Count, InFlight, async i =>
        {
            var (_, fire) = fired[(int)i];
            var task = await client.GetTaskAsync(fire.TaskId) ?? throw new InvalidOperationException($"task {fire.TaskId} is gone");
            lateness[i] = (task.EnqueuedAt - fire.Occurrence).TotalMilliseconds;
        }, cancellationToken);
        var inQueue = Total(await client.GetQueueStatsAsync(BenchCluster.Queue)) - queueBefore;
        var rss2 = silo.ResidentBytes();
        var memory2 = await cluster.Redis.UsedMemoryBytesAsync();
        Console.WriteLine($"   {fired.Count:N0} fires (fewest for one schedule {fewest}, skipped {skipCount}): lateness p50 {Stats.Percentile(lateness, 50):0.0} ms, " +
            $"p99 {Stats.Percentile(lateness, 99):0.0} ms, max {lateness.Max():0.0} ms; duplicates {duplicateFires}; tasks in queue {inQueue:N0} for {fireCount:N0} fires counted");
        report.Add("fire_lateness_p50_ms", Summary.Of([Stats.Percentile(lateness, 50)]), 1);
        report.Add("fire_lateness_p99_ms", Summary.Of([Stats.Percentile(lateness, 99)]), 1);
        report.Add("fire_lateness_max_ms", Summary.Of([lateness.Max()]), 1);
        report.Set("fires_measured", fired.Count);
        report.Set("fewest_fires_of_one_schedule", fewest);
        report.Set("skipped_occurrences", skipCount);
        report.Set("duplicate_tasks_per_occurrence", duplicateFires);
        report.Set("tasks_in_queue_beyond_fires_counted", inQueue - fireCount);
        report.Add("silo_rss_after_fires_mb", Summary.Of([rss2 / 1048576.0]), 1);
        report.Add("redis_bytes_per_schedule_after_fires", Summary.Of([(memory2 - memory0) / (double)count]), 0);
        return report;
    }

    /// <summary>Every task the queue has, whatever its state.</summary>
    private static long Total(QueueStats stats) =>
        stats.Pending + stats.Delayed + stats.Running + stats.Succeeded + stats.DeadLettered + stats.Cancelled;
}
