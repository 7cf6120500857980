using System.Diagnostics;
using System.Globalization;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// How long a partition takes to load (the first call after a silo restart), with a long history behind it: one old
/// dead letter in the first segment, then N finished tasks, (a) still within retention, and (b) already deleted by
/// retention. Before tombstones, (b) read every deleted segment number from the first to the last. The restarted
/// silo joins a fresh cluster id with the same service id (so it owns the data but waits for no dead silo), serves
/// another queue (so only the timed call activates the partition), and keyspace misses count reads of missing keys.
/// </summary>
internal static class Activation
{
    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.TasksOr(1_000_000, 50_000);
        var report = new Report("activation");
        report.Set("settings.finished_tasks", tasks);
        report.Set("settings.dead_letters", 1);
        report.Set("settings.restart", "silo killed, a fresh silo in a new cluster id with the same service id; timed: its first stats call");
        var samples = new Dictionary<bool, List<Sample>> { [false] = [], [true] = [] };
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var expired in new[] { false, true })
            {
                var sample = await MeasureAsync(tasks, expired, cancellationToken);
                samples[expired].Add(sample);
                Console.WriteLine($"   run {run}: {(expired ? "expired" : "retained")}: {sample.Keys:N0} keys in Redis; activation {sample.ActivationMs:N0} ms " +
                    $"(next call {sample.NextCallMs:0.0} ms), {sample.Misses:N0} keyspace misses, silo RSS {sample.RssMb:N0} MB");
            }
        }
        foreach (var (expired, list) in samples)
        {
            var prefix = expired ? "expired." : "retained.";
            report.Add(prefix + "activation_ms", Summary.Of(list.Select(s => s.ActivationMs)), 0);
            report.Add(prefix + "next_call_ms", Summary.Of(list.Select(s => s.NextCallMs)), 2);
            report.Add(prefix + "redis_keys", Summary.Of(list.Select(s => (double)s.Keys)), 0);
            report.Add(prefix + "keyspace_misses_during_activation", Summary.Of(list.Select(s => (double)s.Misses)), 0);
            report.Add(prefix + "silo_rss_after_activation_mb", Summary.Of(list.Select(s => s.RssMb)), 1);
        }
        return report;
    }

    private static async Task<Sample> MeasureAsync(int tasks, bool expire, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string> { ["TaskQueue__CleanupInterval"] = "00:00:02" };
        await using var cluster = await BenchCluster.StartAsync(1, 64, SiloKind.Stock, cancellationToken, settings);
        var client = cluster.Client;
        var before = await client.GetQueueStatsAsync(BenchCluster.Queue);
        // The old dead letter: a sleep task whose payload its handler cannot read, not retried.
        var dead = await client.SubmitAsync(BuiltInTasks.Sleep, """{"milliseconds":"not a number"}""", BenchCluster.Queue, new TaskOptions { Retry = RetryPolicy.None });
        await client.WaitAsync(dead, TimeSpan.FromSeconds(60), cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        var fill = new TaskOptions { ResultTtl = expire ? TimeSpan.FromSeconds(1) : null };
        var batches = (tasks + Throughput.BatchSize - 1) / Throughput.BatchSize;
        await Load.RunBoundedAsync(batches, Throughput.BatchesInFlight, async i =>
        {
            var n = (int)Math.Min(Throughput.BatchSize, tasks - (i * Throughput.BatchSize));
            await client.SubmitBatchAsync(Enumerable.Repeat(new NoopTask(null), n), BenchCluster.Queue, fill);
        }, cancellationToken);
        await Load.WaitSucceededAsync(client, BenchCluster.Queue, before.Succeeded + tasks, before.DeadLettered + 1, Stopwatch.StartNew(), TimeSpan.FromSeconds(120), cancellationToken);
        if (expire)
        {
            // Retention (every 2 s here) deletes every segment but the first, which the dead letter keeps.
            var clock = Stopwatch.StartNew();
            while (await KeysAsync(cluster.Redis) > 100 && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(500, cancellationToken);
        }
        var keys = await KeysAsync(cluster.Redis);

        await cluster.Silos[0].DisposeAsync();
        var restartedCluster = cluster.ClusterId + "-restarted";
        await using var silo = await SiloProcess.StartAsync("silo-restarted", cluster.Redis.ConnectionString, restartedCluster, "idle", 8, SiloKind.Stock, cancellationToken,
            serviceId: cluster.ClusterId);
        await using var restarted = await TaskClient.ConnectAsync(cluster.Redis.ConnectionString, o =>
        {
            o.ClusterId = restartedCluster;
            o.ServiceId = cluster.ClusterId;
        }, cancellationToken);
        var misses = await MissesAsync(cluster.Redis);
        var start = Stopwatch.GetTimestamp();
        var stats = await restarted.GetQueueStatsAsync(BenchCluster.Queue);
        var activationMs = Load.Ms(Stopwatch.GetTimestamp() - start);
        misses = await MissesAsync(cluster.Redis) - misses;
        start = Stopwatch.GetTimestamp();
        await restarted.GetQueueStatsAsync(BenchCluster.Queue);
        var nextMs = Load.Ms(Stopwatch.GetTimestamp() - start);
        if (stats.DeadLettered != 1 || stats.Succeeded != before.Succeeded + tasks)
            throw new InvalidOperationException($"The reloaded partition shows {stats.Succeeded} succeeded and {stats.DeadLettered} dead letters, not {before.Succeeded + tasks} and 1.");
        return new Sample(activationMs, nextMs, keys, misses, silo.ResidentBytes() / 1048576.0);
    }

    private static async Task<long> KeysAsync(RedisProcess redis)
    {
        var keyspace = await redis.InfoAsync("keyspace");
        // db0:keys=N,expires=0,avg_ttl=0
        return keyspace.TryGetValue("db0", out var db)
            ? long.Parse(db.Split(',')[0]["keys=".Length..], CultureInfo.InvariantCulture)
            : 0;
    }

    private static async Task<long> MissesAsync(RedisProcess redis) =>
        long.Parse((await redis.InfoAsync("stats"))["keyspace_misses"], CultureInfo.InvariantCulture);

    private sealed record Sample(double ActivationMs, double NextCallMs, long Keys, long Misses, double RssMb);
}
