using System.Diagnostics;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// N dtq.noop tasks on one silo, (a) submitted in batches of 1,000 and (b) by single submits with
/// <c>--concurrency</c> in flight; tasks/s from the first submit until the queue's succeeded count covers them
/// all (stats polled every 50 ms). At worker concurrency 8 and 64. Also the silo's CPU per task (user + system over
/// the run): on a shared machine it moves far less with other load than tasks/s does.
/// </summary>
internal static class Throughput
{
    public const int BatchSize = 1_000;

    /// <summary>Batches in flight at once: enough to keep the group commit busy without queueing the whole run.</summary>
    public const int BatchesInFlight = 4;

    public static readonly int[] WorkerConcurrency = [8, 64];

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(100_000, 5_000);
        var report = new Report("throughput");
        report.Set("settings.tasks_per_run", tasks);
        report.Set("settings.task", BuiltInTasks.NoOp);
        report.Set("settings.batch_size", BatchSize);
        report.Set("settings.batches_in_flight", BatchesInFlight);
        report.Set("settings.single_submits_in_flight", options.Concurrency);
        report.Set("settings.silos", 1);
        report.Set("settings.completion", "queue stats polled every 50 ms: time from first submit to the poll that sees every task succeeded");
        Summary? topBatch = null, topSingle = null;
        foreach (var workers in WorkerConcurrency)
        {
            Console.WriteLine($"   worker concurrency {workers}");
            await using var cluster = await BenchCluster.StartAsync(1, workers, SiloKind.Stock, cancellationToken);
            await cluster.WarmUpAsync(Math.Min(tasks, 5_000), cancellationToken);
            // An untimed run of each mode first: the first timed run was otherwise far slower than the next (JIT tiers, pools).
            await RunOnceAsync(cluster, Math.Min(tasks, 20_000), batched: true, options.Concurrency, cancellationToken);
            await RunOnceAsync(cluster, Math.Min(tasks, 20_000), batched: false, options.Concurrency, cancellationToken);
            var batch = new List<(double Total, double Submit, double SiloCpuUs)>();
            var single = new List<(double Total, double Submit, double SiloCpuUs)>();
            for (var run = 1; run <= options.Runs; run++)
            {
                var b = await RunOnceAsync(cluster, tasks, batched: true, options.Concurrency, cancellationToken);
                Console.WriteLine($"   run {run}: batch  {b.Total,10:N0} tasks/s (submits alone {b.Submit:N0}/s; silo CPU {b.SiloCpuUs:0.0} µs/task)");
                batch.Add(b);
                var s = await RunOnceAsync(cluster, tasks, batched: false, options.Concurrency, cancellationToken);
                Console.WriteLine($"   run {run}: single {s.Total,10:N0} tasks/s (submits alone {s.Submit:N0}/s; silo CPU {s.SiloCpuUs:0.0} µs/task)");
                single.Add(s);
            }
            var prefix = $"by_worker_concurrency.{workers}.";
            topBatch = Summary.Of(batch.Select(x => x.Total));
            topSingle = Summary.Of(single.Select(x => x.Total));
            report.Add(prefix + "batch_tasks_per_sec", topBatch, 0);
            report.Add(prefix + "batch_submit_only_tasks_per_sec", Summary.Of(batch.Select(x => x.Submit)), 0);
            report.Add(prefix + "single_tasks_per_sec", topSingle, 0);
            report.Add(prefix + "single_submit_only_tasks_per_sec", Summary.Of(single.Select(x => x.Submit)), 0);
            report.Add(prefix + "batch_silo_cpu_us_per_task", Summary.Of(batch.Select(x => x.SiloCpuUs)), 1);
            report.Add(prefix + "single_silo_cpu_us_per_task", Summary.Of(single.Select(x => x.SiloCpuUs)), 1);
        }
        // The headline figures: at the highest worker concurrency measured.
        report.Set("worker_concurrency", WorkerConcurrency[^1]);
        report.Add("batch_tasks_per_sec", topBatch!, 0);
        report.Add("single_tasks_per_sec", topSingle!, 0);
        return report;
    }

    /// <summary>One timed run; returns tasks/s to completion, tasks/s of the submits alone, and the silos' CPU µs per task.</summary>
    public static async Task<(double Total, double Submit, double SiloCpuUs)> RunOnceAsync(BenchCluster cluster, int tasks, bool batched, int concurrency, CancellationToken cancellationToken)
    {
        var client = cluster.Client;
        var before = await client.GetQueueStatsAsync(BenchCluster.Queue);
        var cpuBefore = cluster.Silos.Sum(s => s.CpuSeconds());
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var completion = Load.WaitSucceededAsync(client, BenchCluster.Queue, before.Succeeded + tasks, before.DeadLettered, clock, TimeSpan.FromSeconds(60), stop.Token);
        try
        {
            await SubmitAsync(client, tasks, batched, concurrency, payload: null, cancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            await completion.ContinueWith(static _ => { }, TaskScheduler.Default);
            throw;
        }
        var submitted = clock.Elapsed;
        var done = await completion;
        var cpu = cluster.Silos.Sum(s => s.CpuSeconds()) - cpuBefore;
        return (tasks / done.TotalSeconds, tasks / submitted.TotalSeconds, cpu * 1e6 / tasks);
    }

    /// <summary>Submits <paramref name="tasks"/> noop tasks: in batches (a few in flight), or singly (<paramref name="concurrency"/> in flight).</summary>
    public static Task SubmitAsync(TaskClient client, int tasks, bool batched, int concurrency, int? payload, CancellationToken cancellationToken)
    {
        if (batched)
        {
            var batches = (tasks + BatchSize - 1) / BatchSize;
            var item = payload is { } b ? NoopTask.OfPayloadBytes(b) : new NoopTask(null);
            return Load.RunBoundedAsync(batches, BatchesInFlight, async i =>
            {
                var n = (int)Math.Min(BatchSize, tasks - (i * BatchSize));
                await client.SubmitBatchAsync(Enumerable.Repeat(item, n), BenchCluster.Queue);
            }, cancellationToken);
        }
        var raw = payload is { } bytes ? NoopTask.RawPayload(bytes) : "null";
        return Load.RunBoundedAsync(tasks, concurrency, async _ => await client.SubmitAsync(BuiltInTasks.NoOp, raw, BenchCluster.Queue), cancellationToken);
    }
}
