using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// What the Orleans dashboard and the metrics exporters cost (issue 9: within 10 % of throughput with them off). Each
/// round runs the stock silo twice, "on" (as shipped: <c>TaskQueue:Dashboard:Enabled</c> and <c>TaskQueue:Metrics:Enabled</c>
/// true) and "off" (both false), in alternating order from round to round, each on a fresh Redis and silo: the
/// <see cref="Throughput"/> runs (batch and single, worker concurrency 8 and 64, after the same untimed warm-up), then
/// the idle RSS of another silo of that setting <see cref="Cold.IdleAfter"/> after its launch. Reports medians per
/// setting and each setting's ratio to "off" per cell.
/// </summary>
internal static class Overhead
{
    // "on" and "off" are what the target compares; the two halves say which of the two costs what.
    private static readonly (string Name, bool Dashboard, bool Metrics)[] Settings =
        [("on", true, true), ("off", false, false), ("dashboard-only", true, false), ("metrics-only", false, true)];

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(200_000, 5_000);
        var report = new Report("overhead");
        report.Set("settings.tasks_per_run", tasks);
        report.Set("settings.on", "TaskQueue:Dashboard:Enabled=true, TaskQueue:Metrics:Enabled=true (as shipped)");
        report.Set("settings.off", "TaskQueue:Dashboard:Enabled=false, TaskQueue:Metrics:Enabled=false");
        report.Set("settings.order", "rotated: each round starts one setting later");
        report.Set("settings.halves", "dashboard-only: metrics off; metrics-only: dashboard off");
        var cells = new Dictionary<string, List<double>>();
        void Add(string key, double value) => (cells.TryGetValue(key, out var list) ? list : cells[key] = []).Add(value);
        for (var round = 1; round <= options.Runs; round++)
        {
            // A different setting leads each round, so none always runs first (or right after another).
            var order = Settings.Skip(round % Settings.Length).Concat(Settings.Take(round % Settings.Length)).ToArray();
            foreach (var (name, dashboard, metrics) in order)
            {
                var env = SettingsFor(dashboard, metrics);
                foreach (var workers in Throughput.WorkerConcurrency)
                {
                    await using var cluster = await BenchCluster.StartAsync(1, workers, SiloKind.Stock, cancellationToken, env);
                    await cluster.WarmUpAsync(Math.Min(tasks, 5_000), cancellationToken);
                    await Throughput.RunOnceAsync(cluster, Math.Min(tasks, 20_000), batched: true, options.Concurrency, cancellationToken);
                    await Throughput.RunOnceAsync(cluster, Math.Min(tasks, 20_000), batched: false, options.Concurrency, cancellationToken);
                    var b = await Throughput.RunOnceAsync(cluster, tasks, batched: true, options.Concurrency, cancellationToken);
                    var s = await Throughput.RunOnceAsync(cluster, tasks, batched: false, options.Concurrency, cancellationToken);
                    Console.WriteLine($"   round {round} {name,-3} c{workers}: batch {b.Total,8:N0} tasks/s ({b.SiloCpuUs:0.0} µs/task), single {s.Total,8:N0} tasks/s ({s.SiloCpuUs:0.0} µs/task)");
                    Add($"{name}.c{workers}.batch_tasks_per_sec", b.Total);
                    Add($"{name}.c{workers}.single_tasks_per_sec", s.Total);
                    Add($"{name}.c{workers}.batch_silo_cpu_us_per_task", b.SiloCpuUs);
                    Add($"{name}.c{workers}.single_silo_cpu_us_per_task", s.SiloCpuUs);
                }
                var rss = await IdleRssAsync(env, cancellationToken);
                Console.WriteLine($"   round {round} {name,-3} idle silo RSS {rss:0.0} MB");
                Add($"{name}.idle_silo_rss_mb", rss);
            }
        }
        foreach (var (key, values) in cells) report.Add(key, Summary.Of(values), key.EndsWith("_mb", StringComparison.Ordinal) || key.Contains("cpu", StringComparison.Ordinal) ? 1 : 0);
        foreach (var key in cells.Keys.Where(k => k.StartsWith("off.", StringComparison.Ordinal) && k.Contains("tasks_per_sec", StringComparison.Ordinal)))
        {
            var cell = key["off.".Length..];
            foreach (var (name, _, _) in Settings.Where(s => s.Name != "off"))
            {
                var ratio = Summary.Of(cells[$"{name}.{cell}"]).Median / Summary.Of(cells[key]).Median;
                report.Set($"over_off.{name}.{cell}", Math.Round(ratio, 3));
                Console.WriteLine($"   {name}/off {cell,-28} {ratio:0.000}");
            }
        }
        return report;
    }

    private static Dictionary<string, string> SettingsFor(bool dashboard, bool metrics) => new()
    {
        ["TaskQueue__Dashboard__Enabled"] = dashboard ? "true" : "false",
        ["TaskQueue__Metrics__Enabled"] = metrics ? "true" : "false",
    };

    /// <summary>VmRSS of an idle stock silo with these settings, on a Redis of its own (<see cref="Cold.IdleRssAsync"/>).</summary>
    private static async Task<double> IdleRssAsync(Dictionary<string, string> env, CancellationToken cancellationToken)
    {
        await using var redis = await RedisProcess.StartAsync(cancellationToken);
        return await Cold.IdleRssAsync(redis, cancellationToken, env);
    }
}
