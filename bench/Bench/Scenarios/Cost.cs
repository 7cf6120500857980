using System.Diagnostics;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// Redis commands per task on the hot path: INFO commandstats before and after a throughput run (batch mode and
/// single mode, one silo, worker concurrency 64), divided by the tasks. The idle rate of the cluster (membership,
/// reminders) over the same time is measured first and subtracted; INFO itself is not counted. Also bytes Redis
/// received and AOF growth per task (the AOF may be rewritten during a long run, which would shrink that figure).
/// </summary>
internal static class Cost
{
    public const int WorkerConcurrency = 64;

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(20_000, 5_000);
        var report = new Report("cost");
        report.Set("settings.tasks_per_run", tasks);
        report.Set("settings.task", BuiltInTasks.NoOp);
        report.Set("settings.worker_concurrency", WorkerConcurrency);
        report.Set("settings.single_submits_in_flight", options.Concurrency);
        report.Set("settings.batch_size", Throughput.BatchSize);
        await using var cluster = await BenchCluster.StartAsync(1, WorkerConcurrency, SiloKind.Stock, cancellationToken);
        await cluster.WarmUpAsync(Math.Min(tasks, 5_000), cancellationToken);

        // Idle: what the cluster costs Redis with nothing to do.
        var idleSeconds = options.Quick ? 3 : 10;
        var idleBefore = await cluster.Redis.CommandCallsAsync();
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds), cancellationToken);
        var idleCalls = Total(Delta(idleBefore, await cluster.Redis.CommandCallsAsync()));
        var idlePerSecond = idleCalls / idleClock.Elapsed.TotalSeconds;
        report.Set("idle_calls_per_sec", Math.Round(idlePerSecond, 2));
        Console.WriteLine($"   idle: {idlePerSecond:0.0} Redis calls/s");

        foreach (var batched in new[] { true, false })
        {
            var mode = batched ? "batch" : "single";
            var perTask = new List<double>();
            var netPerTask = new List<double>();
            var byCommand = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var inputBytes = new List<double>();
            var aofBytes = new List<double>();
            for (var run = 1; run <= options.Runs; run++)
            {
                var before = await cluster.Redis.CommandCallsAsync();
                var (inputBefore, aofBefore) = await BytesAsync(cluster.Redis);
                var clock = Stopwatch.StartNew();
                await Throughput.RunOnceAsync(cluster, tasks, batched, options.Concurrency, cancellationToken);
                var delta = Delta(before, await cluster.Redis.CommandCallsAsync());
                var (inputAfter, aofAfter) = await BytesAsync(cluster.Redis);
                inputBytes.Add((inputAfter - inputBefore) / (double)tasks);
                aofBytes.Add((aofAfter - aofBefore) / (double)tasks);
                var total = Total(delta);
                perTask.Add(total / tasks);
                netPerTask.Add(Math.Max(0, total - (idlePerSecond * clock.Elapsed.TotalSeconds)) / tasks);
                foreach (var (command, calls) in delta)
                {
                    if (!byCommand.TryGetValue(command, out var list)) byCommand[command] = list = [];
                    list.Add(calls / (double)tasks);
                }
                Console.WriteLine($"   run {run}: {mode}: {perTask[^1]:0.000} calls/task ({string.Join(", ", delta.OrderByDescending(d => d.Value).Take(5).Select(d => $"{d.Key} {d.Value / (double)tasks:0.000}"))})");
            }
            report.Add($"{mode}.redis_calls_per_task", Summary.Of(perTask), 4);
            report.Add($"{mode}.redis_calls_per_task_net_of_idle", Summary.Of(netPerTask), 4);
            report.Add($"{mode}.redis_net_input_bytes_per_task", Summary.Of(inputBytes), 0);
            report.Add($"{mode}.aof_bytes_per_task", Summary.Of(aofBytes), 0);
            foreach (var (command, values) in byCommand.OrderByDescending(c => c.Value.Sum()))
            {
                // Commands absent from some run count as 0 there.
                var padded = values.Concat(Enumerable.Repeat(0.0, options.Runs - values.Count));
                report.Add($"{mode}.by_command_calls_per_task.{command}", Summary.Of(padded), 4);
            }
        }
        return report;
    }

    /// <summary>Bytes Redis has received (total_net_input_bytes) and the AOF's size (aof_current_size, -1 if AOF is off).</summary>
    private static async Task<(long Input, long Aof)> BytesAsync(RedisProcess redis)
    {
        var stats = await redis.InfoAsync("stats");
        var persistence = await redis.InfoAsync("persistence");
        var input = long.Parse(stats["total_net_input_bytes"], System.Globalization.CultureInfo.InvariantCulture);
        var aof = persistence.TryGetValue("aof_current_size", out var size) ? long.Parse(size, System.Globalization.CultureInfo.InvariantCulture) : -1;
        return (input, aof);
    }

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after)
    {
        var delta = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (command, calls) in after)
        {
            if (command == "info") continue;   // the bench's own measurement
            var d = calls - before.GetValueOrDefault(command);
            if (d > 0) delta[command] = d;
        }
        return delta;
    }

    private static double Total(Dictionary<string, long> delta) => delta.Values.Sum();
}
