using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// The dashboard's and metrics' cost measured in pairs (issue 9). <see cref="Overhead"/> runs each setting on a fresh
/// silo minutes apart, and this VM's speed drifts more than the effect between them (identical work took 33-52 µs of
/// silo CPU per task across one run's rounds). Here an "on" cluster and an "off" cluster (each its own Redis and stock
/// silo) stay up side by side, and each pair runs the same cell on one right after the other, in alternating order:
/// a drift hits both halves of a pair alike. Reports the median and quartiles of the per-pair ratios on / off.
/// The idle cluster takes CPU from the busy one: an idle "on" silo 34 ms/s (its dashboard's once-a-second export and
/// timers), an idle "off" silo 24 ms/s (measured side by side over 60 s). So "off" runs beside a slightly busier
/// neighbour, which flatters "on" by about 0.5 % of the machine's two cores.
/// </summary>
internal static class OverheadPaired
{
    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(50_000, 5_000);
        // Several pairs per round asked for: one pair says little, the quartiles need a handful.
        var pairs = options.Quick ? 2 : options.Runs * 3;
        var report = new Report("overhead-paired");
        report.Set("settings.tasks_per_cell", tasks);
        report.Set("settings.pairs_per_cell", pairs);
        report.Set("settings.on", "TaskQueue:Dashboard:Enabled=true, TaskQueue:Metrics:Enabled=true (as shipped)");
        report.Set("settings.off", "TaskQueue:Dashboard:Enabled=false, TaskQueue:Metrics:Enabled=false");
        foreach (var workers in Throughput.WorkerConcurrency)
        {
            await using var on = await BenchCluster.StartAsync(1, workers, SiloKind.Stock, cancellationToken, Settings(true));
            await using var off = await BenchCluster.StartAsync(1, workers, SiloKind.Stock, cancellationToken, Settings(false));
            foreach (var cluster in new[] { on, off })
            {
                await cluster.WarmUpAsync(Math.Min(tasks, 5_000), cancellationToken);
                await Throughput.RunOnceAsync(cluster, Math.Min(tasks, 20_000), batched: true, options.Concurrency, cancellationToken);
                await Throughput.RunOnceAsync(cluster, Math.Min(tasks, 20_000), batched: false, options.Concurrency, cancellationToken);
            }
            foreach (var batched in new[] { true, false })
            {
                var cell = $"c{workers}.{(batched ? "batch" : "single")}";
                var ratios = new List<double>();
                var cpuRatios = new List<double>();
                for (var pair = 0; pair < pairs; pair++)
                {
                    // Alternating which half goes first, so neither always runs right after the other's load.
                    var onFirst = pair % 2 == 0;
                    var first = await Throughput.RunOnceAsync(onFirst ? on : off, tasks, batched, options.Concurrency, cancellationToken);
                    var second = await Throughput.RunOnceAsync(onFirst ? off : on, tasks, batched, options.Concurrency, cancellationToken);
                    var (a, b) = onFirst ? (first, second) : (second, first);
                    ratios.Add(a.Total / b.Total);
                    cpuRatios.Add(a.SiloCpuUs / b.SiloCpuUs);
                    Console.WriteLine($"   {cell} pair {pair + 1}: on {a.Total,8:N0} tasks/s ({a.SiloCpuUs:0.0} µs/task), off {b.Total,8:N0} tasks/s ({b.SiloCpuUs:0.0} µs/task), on/off {a.Total / b.Total:0.000}");
                }
                report.Add($"{cell}.on_over_off_tasks_per_sec", Summary.Of(ratios), 3);
                report.Add($"{cell}.on_over_off_silo_cpu_per_task", Summary.Of(cpuRatios), 3);
                ratios.Sort();
                report.Set($"{cell}.on_over_off_quartiles", $"{Quantile(ratios, 0.25):0.000} / {Quantile(ratios, 0.5):0.000} / {Quantile(ratios, 0.75):0.000}");
                Console.WriteLine($"   {cell}: on/off median {Quantile(ratios, 0.5):0.000} (quartiles {Quantile(ratios, 0.25):0.000}-{Quantile(ratios, 0.75):0.000}), silo CPU per task on/off median {Summary.Of(cpuRatios).Median:0.000}");
            }
        }
        return report;
    }

    private static Dictionary<string, string> Settings(bool enabled) => new()
    {
        ["TaskQueue__Dashboard__Enabled"] = enabled ? "true" : "false",
        ["TaskQueue__Metrics__Enabled"] = enabled ? "true" : "false",
    };

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
