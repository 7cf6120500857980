using System.Diagnostics;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// Delayed tasks on one silo. Lateness = the task's StartedAt (its lease, just before the handler starts) minus the
/// not-before time the bench gave it: (a) 20 tasks due over 10 s on an idle queue, as a new user would try it;
/// (b) 10,000 dtq.noop tasks due evenly over 10 s on an active partition (submitted first, due from 3 s on). Then
/// memory: a backlog of delayed tasks (due in an hour, 100-byte payloads; <c>--max-depth</c>, default 1,000,000) and
/// the silo's RSS and Redis bytes per task it costs, to compare with the backlog scenario's pending tasks.
/// </summary>
internal static class Delayed
{
    private const int WorkerConcurrency = 8;
    private const int SparseTasks = 20;
    private const int SubmitBatch = 500;
    private static readonly TimeSpan Spread = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(3);

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(10_000, 2_000);
        var depth = options.MaxDepth ?? (options.Quick ? 20_000 : 1_000_000);
        var report = new Report("delayed");
        report.Set("settings.dense_tasks_per_run", tasks);
        report.Set("settings.due_over_seconds", Spread.TotalSeconds);
        report.Set("settings.sparse_tasks_per_run", SparseTasks);
        report.Set("settings.task", BuiltInTasks.NoOp);
        report.Set("settings.worker_concurrency", WorkerConcurrency);
        report.Set("settings.silos", 1);
        report.Set("settings.lateness", "TaskInfo.StartedAt (lease time, just before the handler) minus the task's not-before time");
        report.Set("settings.backlog_depth", depth);

        await using var cluster = await BenchCluster.StartAsync(1, WorkerConcurrency, SiloKind.Stock, cancellationToken);
        await cluster.WarmUpAsync(2_000, cancellationToken);
        var client = cluster.Client;
        var sparse = new List<double>();
        var dense = new List<(double P50, double P99, double Max)>();
        var early = 0;
        for (var run = 1; run <= options.Runs; run++)
        {
            var idle = await LatenessAsync(client, SparseTasks, cancellationToken);
            early += idle.Count(l => l < 0);
            sparse.AddRange(idle);
            Console.WriteLine($"   run {run}: idle queue, {SparseTasks} tasks over {Spread.TotalSeconds:0} s: lateness p50 {Stats.Percentile(idle, 50):0.0} ms, max {idle.Max():0.0} ms");
            var busy = await LatenessAsync(client, tasks, cancellationToken);
            early += busy.Count(l => l < 0);
            dense.Add((Stats.Percentile(busy, 50), Stats.Percentile(busy, 99), busy.Max()));
            Console.WriteLine($"   run {run}: {tasks:N0} tasks over {Spread.TotalSeconds:0} s: lateness p50 {dense[^1].P50:0.0} ms, p99 {dense[^1].P99:0.0} ms, max {dense[^1].Max:0.0} ms");
        }
        report.Add("idle_lateness_p50_ms", Summary.Of([Stats.Percentile(sparse, 50)]), 1);
        report.Add("idle_lateness_max_ms", Summary.Of([sparse.Max()]), 1);
        report.Add("lateness_p50_ms", Summary.Of(dense.Select(d => d.P50)), 1);
        report.Add("lateness_p99_ms", Summary.Of(dense.Select(d => d.P99)), 1);
        report.Add("lateness_max_ms", Summary.Of(dense.Select(d => d.Max)), 1);
        report.Set("started_before_their_time", early);

        // Memory of a delayed backlog: what a deep backlog of tasks due later costs the silo and Redis.
        var before = await client.GetQueueStatsAsync(BenchCluster.Queue);
        var rss0 = cluster.Silos[0].ResidentBytes();
        var memory0 = await cluster.Redis.UsedMemoryBytesAsync();
        var clock = Stopwatch.StartNew();
        await SubmitDelayedAsync(client, depth, TimeProvider.System.GetUtcNow().AddHours(1), cancellationToken);
        var fill = depth / clock.Elapsed.TotalSeconds;
        // Eviction runs after each write and on the one-second tick: let it catch up before measuring.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        GC.Collect();
        var stats = await client.GetQueueStatsAsync(BenchCluster.Queue);
        var rss = cluster.Silos[0].ResidentBytes();
        var memory = await cluster.Redis.UsedMemoryBytesAsync();
        var added = stats.Delayed - before.Delayed;
        Console.WriteLine($"   {added:N0} delayed tasks (filled at {fill:N0}/s): silo RSS {rss0 / 1048576.0:N0} -> {rss / 1048576.0:N0} MB, " +
            $"resident records {stats.ResidentTasks:N0}; redis +{(memory - memory0) / 1048576.0:N0} MB = {(memory - memory0) / (double)added:N0} bytes a task");
        report.Add("backlog.silo_rss_before_mb", Summary.Of([rss0 / 1048576.0]), 1);
        report.Add("backlog.silo_rss_mb", Summary.Of([rss / 1048576.0]), 1);
        report.Add("backlog.silo_rss_growth_mb", Summary.Of([(rss - rss0) / 1048576.0]), 1);
        report.Add("backlog.resident_task_records", Summary.Of([(double)stats.ResidentTasks]), 0);
        report.Add("backlog.redis_bytes_per_delayed_task", Summary.Of([(memory - memory0) / (double)added]), 0);
        report.Add("backlog.fill_tasks_per_sec", Summary.Of([fill]), 0);
        report.Set("backlog.delayed_tasks", added);
        return report;
    }

    /// <summary>Submits <paramref name="count"/> noop tasks due evenly over <see cref="Spread"/> from <see cref="Lead"/> on; returns each one's lateness (ms).</summary>
    private static async Task<List<double>> LatenessAsync(TaskClient client, int count, CancellationToken cancellationToken)
    {
        var before = await client.GetQueueStatsAsync(BenchCluster.Queue);
        var first = TimeProvider.System.GetUtcNow() + Lead;
        var due = Enumerable.Range(0, count).Select(i => first + (Spread * i / count)).ToArray();
        var ids = new List<TaskId>(count);
        foreach (var chunk in due.Chunk(SubmitBatch))
            ids.AddRange(await client.SubmitBatchAsync(chunk.Select(at => new NamedTask(BuiltInTasks.NoOp, "null", new TaskOptions { NotBefore = at })), BenchCluster.Queue));
        if (TimeProvider.System.GetUtcNow() > first) Console.WriteLine("   (warning: submitting took longer than the lead; the first tasks were due before all were submitted)");
        await Load.WaitSucceededAsync(client, BenchCluster.Queue, before.Succeeded + count, before.DeadLettered, Stopwatch.StartNew(), TimeSpan.FromSeconds(30), cancellationToken);
        var lateness = new double[count];
        await Load.RunBoundedAsync(count, 64, async i =>
        {
            var info = await client.GetTaskAsync(ids[(int)i]) ?? throw new InvalidOperationException($"task {ids[(int)i]} is gone");
            lateness[i] = (info.StartedAt!.Value - due[i]).TotalMilliseconds;
        }, cancellationToken);
        return [.. lateness];
    }

    private static async Task SubmitDelayedAsync(TaskClient client, int count, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var payload = NoopTask.OfPayloadBytes(Backlog.PayloadBytes);
        var options = new TaskOptions { NotBefore = due };
        var batches = (count + Throughput.BatchSize - 1) / Throughput.BatchSize;
        await Load.RunBoundedAsync(batches, Throughput.BatchesInFlight, async b =>
        {
            var n = (int)Math.Min(Throughput.BatchSize, count - (b * Throughput.BatchSize));
            await client.SubmitBatchAsync(Enumerable.Repeat(payload, n), BenchCluster.Queue, options);
        }, cancellationToken);
    }
}
