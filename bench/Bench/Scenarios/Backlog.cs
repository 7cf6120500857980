using System.Diagnostics;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// A paused queue filled to 0, max/10 and max pending tasks (100-byte payloads). At each depth: single-submit rate
/// and latency percentiles with <c>--concurrency</c> in flight, Redis used_memory and the silo's VmRSS. Then the
/// queue is resumed and the drain is timed. Redis bytes per pending task = used_memory growth / tasks pending.
/// Each run starts from a fresh Redis and silo, so memory figures are not polluted by the previous run.
/// </summary>
internal static class Backlog
{
    public const int PayloadBytes = 100;
    public const int WorkerConcurrency = 64;

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var maxDepth = options.MaxDepth ?? (options.Quick ? 20_000 : 1_000_000);
        var probes = options.TasksOr(5_000, 1_000);
        int[] depths = [.. new[] { 0, maxDepth / 10, maxDepth }.Distinct().Order()];
        var report = new Report("backlog");
        report.Set("settings.depths", new System.Text.Json.Nodes.JsonArray(depths.Select(d => (System.Text.Json.Nodes.JsonNode?)d).ToArray()));
        report.Set("settings.payload_bytes", PayloadBytes);
        report.Set("settings.probe_submits_per_depth", probes);
        report.Set("settings.probe_submits_in_flight", options.Concurrency);
        report.Set("settings.fill", $"typed batches of {Throughput.BatchSize}, {Throughput.BatchesInFlight} in flight");
        report.Set("settings.worker_concurrency", WorkerConcurrency);
        report.Set("settings.silos", 1);

        var perDepth = depths.ToDictionary(d => d, _ => new List<DepthSample>());
        var fillRates = new List<double>();
        var bytesPerTask = new List<double>();
        var drainRates = new List<double>();
        var drained = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            await using var cluster = await BenchCluster.StartAsync(1, WorkerConcurrency, SiloKind.Stock, cancellationToken);
            await cluster.WarmUpAsync(2_000, cancellationToken);
            var client = cluster.Client;
            var silo = cluster.Silos[0];
            await client.PauseQueueAsync(BenchCluster.Queue);
            var memory0 = await cluster.Redis.UsedMemoryBytesAsync();
            long filled = 0;
            var fillTicks = 0L;
            foreach (var depth in depths)
            {
                var pending = (await client.GetQueueStatsAsync(BenchCluster.Queue)).Pending;
                var toFill = depth - pending;
                if (toFill > 0)
                {
                    var start = Stopwatch.GetTimestamp();
                    await Throughput.SubmitAsync(client, (int)toFill, batched: true, options.Concurrency, PayloadBytes, cancellationToken);
                    fillTicks += Stopwatch.GetTimestamp() - start;
                    filled += toFill;
                }
                var stats = await client.GetQueueStatsAsync(BenchCluster.Queue);
                var memory = await cluster.Redis.UsedMemoryBytesAsync();
                var rss = silo.ResidentBytes();
                if (depth == depths[^1] && stats.Pending > 0) bytesPerTask.Add((memory - memory0) / (double)stats.Pending);
                var (rate, p50, p99) = await ProbeAsync(client, probes, options.Concurrency, cancellationToken);
                perDepth[depth].Add(new DepthSample(rate, p50, p99, rss / 1048576.0, memory / 1048576.0));
                Console.WriteLine($"   run {run}: depth {stats.Pending,9:N0}: submit {rate,8:N0}/s p50 {p50:0.0} ms p99 {p99:0.0} ms; silo RSS {rss / 1048576.0:N0} MB; redis {memory / 1048576.0:N0} MB");
            }
            if (filled > 0) fillRates.Add(filled / Load.Ms(fillTicks) * 1000);

            var before = await client.GetQueueStatsAsync(BenchCluster.Queue);
            var clock = Stopwatch.StartNew();
            await client.ResumeQueueAsync(BenchCluster.Queue);
            var done = await Load.WaitSucceededAsync(client, BenchCluster.Queue, before.Succeeded + before.Pending, before.DeadLettered, clock, TimeSpan.FromSeconds(120), cancellationToken);
            drainRates.Add(before.Pending / done.TotalSeconds);
            drained.Add(before.Pending);
            Console.WriteLine($"   run {run}: drained {before.Pending:N0} tasks in {done.TotalSeconds:0.0} s = {drainRates[^1]:N0} tasks/s; silo RSS after drain {silo.ResidentBytes() / 1048576.0:N0} MB");
        }
        foreach (var depth in depths)
        {
            var samples = perDepth[depth];
            var prefix = $"depth_{depth}.";
            report.Add(prefix + "submit_tasks_per_sec", Summary.Of(samples.Select(s => s.Rate)), 0);
            report.Add(prefix + "submit_p50_ms", Summary.Of(samples.Select(s => s.P50)), 2);
            report.Add(prefix + "submit_p99_ms", Summary.Of(samples.Select(s => s.P99)), 2);
            report.Add(prefix + "silo_rss_mb", Summary.Of(samples.Select(s => s.RssMb)), 1);
            report.Add(prefix + "redis_used_memory_mb", Summary.Of(samples.Select(s => s.RedisMb)), 1);
        }
        report.Add("fill_batch_submit_tasks_per_sec", Summary.Of(fillRates), 0);
        report.Add("redis_bytes_per_pending_task", Summary.Of(bytesPerTask), 0);
        report.Add("drain_tasks_per_sec", Summary.Of(drainRates), 0);
        report.Add("drained_tasks", Summary.Of(drained), 0);
        return report;
    }

    /// <summary>Single submits with <paramref name="concurrency"/> in flight; returns their rate and latency percentiles.</summary>
    private static async Task<(double Rate, double P50, double P99)> ProbeAsync(TaskClient client, int count, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var payload = NoopTask.RawPayload(PayloadBytes);
        var clock = Stopwatch.StartNew();
        await Load.RunBoundedAsync(count, concurrency, async i =>
        {
            var start = Stopwatch.GetTimestamp();
            await client.SubmitAsync(BuiltInTasks.NoOp, payload, BenchCluster.Queue);
            latencies[i] = Load.Ms(Stopwatch.GetTimestamp() - start);
        }, cancellationToken);
        var elapsed = clock.Elapsed;
        return (count / elapsed.TotalSeconds, Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99));
    }

    private sealed record DepthSample(double Rate, double P50, double P99, double RssMb, double RedisMb);
}
