using System.Diagnostics;
using System.Text.Json;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>One bench environment: its own redis-server, N silo processes on one queue, and this process as the client.</summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    public const string Queue = "bench";

    private BenchCluster(RedisProcess redis, string clusterId)
    {
        Redis = redis;
        ClusterId = clusterId;
    }

    public RedisProcess Redis { get; }

    public string ClusterId { get; }

    public List<SiloProcess> Silos { get; } = [];

    public TaskClient Client { get; private set; } = null!;

    public static async Task<BenchCluster> StartAsync(int silos, int maxConcurrentTasks, SiloKind kind, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null, string redisPersistence = "everysec")
    {
        var clock = Stopwatch.StartNew();
        var redis = await RedisProcess.StartAsync(cancellationToken, redisPersistence);
        var cluster = new BenchCluster(redis, "bench-" + Guid.NewGuid().ToString("N")[..8]);
        // A setting may name the Redis this cluster runs on, which exists only from here: "{redis}" stands for it.
        settings = settings?.ToDictionary(kv => kv.Key, kv => kv.Value.Replace("{redis}", redis.ConnectionString, StringComparison.Ordinal));
        try
        {
            // One at a time: on 2 cores, parallel silo start-ups only slow each other down.
            for (var i = 0; i < silos; i++)
            {
                cluster.Silos.Add(await SiloProcess.StartAsync(
                    $"silo-{i + 1}", redis.ConnectionString, cluster.ClusterId, Queue, maxConcurrentTasks, kind, cancellationToken, settings: settings));
            }
            cluster.Client = await TaskClient.ConnectAsync(redis.ConnectionString, o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ClusterId;
            }, cancellationToken);
            // One full round trip proves the cluster works end to end before anything is timed.
            var id = await cluster.Client.SubmitAsync(BuiltInTasks.NoOp, "null", Queue);
            await cluster.Client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(60), cancellationToken);
            Console.WriteLine($"   [{silos} silo(s), worker concurrency {maxConcurrentTasks}, redis :{redis.Port}, ready in {clock.Elapsed.TotalSeconds:0.0} s; logs {cluster.Logs}]");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="count"/> noop tasks (submitted in batches) to completion, untimed: warms the JIT and the grain.</summary>
    public async Task WarmUpAsync(int count, CancellationToken cancellationToken)
    {
        var before = await Client.GetQueueStatsAsync(Queue);
        for (var done = 0; done < count; done += 500)
        {
            var n = Math.Min(500, count - done);
            await Client.SubmitBatchAsync(Enumerable.Range(0, n).Select(_ => new NoopTask(null)), Queue);
        }
        await Load.WaitSucceededAsync(Client, Queue, before.Succeeded + count, before.DeadLettered, Stopwatch.StartNew(), TimeSpan.FromSeconds(60), cancellationToken);
        // A few single round trips too, so the single-submit path is warm.
        for (var i = 0; i < 20; i++)
        {
            var id = await Client.SubmitAsync(BuiltInTasks.NoOp, "null", Queue);
            await Client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    /// <summary>Where the silos' logs are, for an error message.</summary>
    public string Logs => string.Join(", ", Silos.Select(s => s.LogPath));

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await Client.DisposeAsync().AsTask().WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or TaskQueueException)
            {
                // The processes go next anyway.
            }
        }
        foreach (var silo in Silos) await silo.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
