using System.Diagnostics;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// I/O-like work (dtq.sleep 20 ms, submitted in batches) over several silos. The main set is three silos at worker
/// concurrency 8: tasks/s to completion and the share of the tasks each silo ran. A scaling sweep then runs the same
/// work on 1, 2 and 3 silos at concurrency 8 and on 3 silos at 16 and 32, reporting tasks/s against the ideal
/// (total slots × 50/s), to show throughput growing in proportion to total concurrency. The stock silo exposes
/// no per-silo execution count, so these silos are this assembly's <c>silo-host</c> mode: the stock hosting plus
/// a counter (see SiloHost.cs).
/// </summary>
internal static class Spread
{
    public const int Silos = 3;
    public const int WorkerConcurrency = 8;
    public const int SleepMilliseconds = 20;

    /// <summary>The sweep: (silos, worker concurrency per silo). The main set (3, 8) is measured above it.</summary>
    private static readonly (int Silos, int Concurrency)[] Sweep = [(1, 8), (2, 8), (3, 16), (3, 32)];

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(12_000, 1_200);
        var report = new Report("spread");
        report.Set("settings.silos", Silos);
        report.Set("settings.worker_concurrency_per_silo", WorkerConcurrency);
        report.Set("settings.task", $"{BuiltInTasks.Sleep} {SleepMilliseconds} ms");
        report.Set("settings.tasks_per_run", tasks);
        report.Set("settings.ideal_tasks_per_sec", Ideal(Silos, WorkerConcurrency));
        report.Set("settings.silo_binary", "bench silo-host (stock hosting + per-silo execution counter)");
        report.Set("settings.scaling_tasks_per_run", "ideal tasks/s × 10 s (× 1 s with --quick)");

        var (rates, shares) = await MeasureAsync(Silos, WorkerConcurrency, tasks, options.Runs, cancellationToken);
        report.Add("tasks_per_sec", Summary.Of(rates), 0);
        for (var i = 0; i < Silos; i++) report.Add($"silo_{i + 1}_share_pct", Summary.Of(shares[i]), 1);
        report.Add("max_share_minus_min_share_pct", Summary.Of(Enumerable.Range(0, rates.Count).Select(r => shares.Max(s => s[r]) - shares.Min(s => s[r]))), 1);
        AddScaling(report, Silos, WorkerConcurrency, rates);

        foreach (var (silos, concurrency) in Sweep)
        {
            var perRun = (int)(Ideal(silos, concurrency) * (options.Quick ? 1 : 10));
            var (sweepRates, _) = await MeasureAsync(silos, concurrency, perRun, options.Runs, cancellationToken);
            AddScaling(report, silos, concurrency, sweepRates);
        }
        report.Set("note", "silo_1 is started first; the queue's one partition grain lives on whichever silo Orleans placed it on");
        return report;
    }

    private static double Ideal(int silos, int concurrency) => silos * concurrency * 1000.0 / SleepMilliseconds;

    private static void AddScaling(Report report, int silos, int concurrency, List<double> rates)
    {
        var key = $"scaling.silos_{silos}_concurrency_{concurrency}";
        report.Add($"{key}.tasks_per_sec", Summary.Of(rates), 0);
        report.Add($"{key}.pct_of_ideal", Summary.Of(rates.Select(r => r * 100 / Ideal(silos, concurrency))), 1);
    }

    private static async Task<(List<double> Rates, List<double>[] Shares)> MeasureAsync(int silos, int concurrency, int tasks, int runs, CancellationToken cancellationToken)
    {
        Console.WriteLine($"   {silos} silo(s) at worker concurrency {concurrency}: {tasks:N0} tasks per run, ideal {Ideal(silos, concurrency):N0} tasks/s");
        await using var cluster = await BenchCluster.StartAsync(silos, concurrency, SiloKind.Counting, cancellationToken);
        await WarmUpAsync(cluster, silos * concurrency, cancellationToken);
        var rates = new List<double>();
        var shares = Enumerable.Range(0, silos).Select(_ => new List<double>()).ToArray();
        for (var run = 1; run <= runs; run++)
        {
            var executedBefore = await ExecutedAsync(cluster, cancellationToken);
            var before = await cluster.Client.GetQueueStatsAsync(BenchCluster.Queue);
            var clock = Stopwatch.StartNew();
            for (var done = 0; done < tasks; done += Throughput.BatchSize)
            {
                var n = Math.Min(Throughput.BatchSize, tasks - done);
                await cluster.Client.SubmitBatchAsync(Enumerable.Repeat(new SleepTask(SleepMilliseconds), n), BenchCluster.Queue);
            }
            var elapsed = await Load.WaitSucceededAsync(cluster.Client, BenchCluster.Queue, before.Succeeded + tasks, before.DeadLettered, clock, TimeSpan.FromSeconds(120), cancellationToken);
            var executedAfter = await ExecutedAsync(cluster, cancellationToken);
            var executed = executedAfter.Zip(executedBefore, (a, b) => (double)(a - b)).ToArray();
            var total = executed.Sum();
            rates.Add(tasks / elapsed.TotalSeconds);
            for (var i = 0; i < silos; i++) shares[i].Add(total > 0 ? executed[i] * 100 / total : 0);
            Console.WriteLine($"   run {run}: {rates[^1]:N0} tasks/s; executed per silo {string.Join(" / ", executed.Select(e => e.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
        return (rates, shares);
    }

    /// <summary>Runs sleep tasks until every silo has run at least one (bounded), so no silo is measured cold.</summary>
    private static async Task WarmUpAsync(BenchCluster cluster, int slots, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var before = await cluster.Client.GetQueueStatsAsync(BenchCluster.Queue);
            var n = slots * 4;
            await cluster.Client.SubmitBatchAsync(Enumerable.Repeat(new SleepTask(SleepMilliseconds), n), BenchCluster.Queue);
            await Load.WaitSucceededAsync(cluster.Client, BenchCluster.Queue, before.Succeeded + n, before.DeadLettered, Stopwatch.StartNew(), TimeSpan.FromSeconds(60), cancellationToken);
            if ((await ExecutedAsync(cluster, cancellationToken)).All(e => e > 0)) return;
            await Task.Delay(500, cancellationToken);
        }
        Console.WriteLine("   warning: after 60 s of warm-up some silo has still run no task");
    }

    private static async Task<long[]> ExecutedAsync(BenchCluster cluster, CancellationToken cancellationToken) =>
        await Task.WhenAll(cluster.Silos.Select(s => s.ExecutedAsync(cancellationToken)));
}
