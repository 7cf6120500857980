using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// <c>GET /api/workers</c> and the stats' recent history and oldest pending task, over real HTTP (Kestrel on a loopback
/// port, an embedded silo behind it).
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class WorkerApiTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Workers_ListsThisSilosWorker_InTheContractsShape_WithWhatItHasRun()
    {
        var id = await silo.Client.SubmitAsync(new RecordTask("w"), "api-misc");
        await silo.Client.WaitForResultAsync<string>(id, Timeout);
        var self = await GetAsync("/api/worker");

        JsonElement worker = default;
        await ClusterProbes.Eventually(async () =>
        {
            var workers = await GetAsync("/api/workers");
            Assert.Equal(JsonValueKind.Array, workers.ValueKind);
            worker = Assert.Single(workers.EnumerateArray());
            return worker.GetProperty("succeeded").GetInt64() >= 1; // reported every 5 s
        }, Timeout, "the worker's report of the task it ran");

        Assert.Equal(
            ["workerId", "silo", "queues", "maxConcurrentTasks", "busy", "succeeded", "failed", "startedAt", "lastHeartbeat"],
            worker.EnumerateObject().Select(p => p.Name));
        Assert.Equal(self.GetProperty("workerId").GetString(), worker.GetProperty("workerId").GetString());
        Assert.EndsWith(worker.GetProperty("silo").GetString()!, worker.GetProperty("workerId").GetString(), StringComparison.Ordinal);
        Assert.Equal(ApiSilo.Queues, worker.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(16, worker.GetProperty("maxConcurrentTasks").GetInt32());
        Assert.True(worker.GetProperty("busy").GetInt32() >= 0);
        Assert.True(worker.GetProperty("failed").GetInt64() >= 0);
        Assert.True(worker.GetProperty("startedAt").GetDateTimeOffset() <= worker.GetProperty("lastHeartbeat").GetDateTimeOffset());
    }

    [Fact]
    public async Task Stats_ShowTheOldestPendingTask_AndTenMinutesOfTenSecondBuckets()
    {
        // No worker serves this queue: what is submitted stays pending.
        const string queue = "api-unserved";
        var empty = await GetAsync($"/api/queues/{queue}/stats");
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("oldestPendingSince").ValueKind);
        var before = TimeProvider.System.GetUtcNow();
        await silo.Client.SubmitAsync("dtq.echo", "{}", queue);

        var stats = await GetAsync($"/api/queues/{queue}/stats");

        var oldest = stats.GetProperty("oldestPendingSince").GetDateTimeOffset();
        Assert.InRange(oldest, before.AddSeconds(-1), TimeProvider.System.GetUtcNow());
        var recent = stats.GetProperty("recent").EnumerateArray().ToList();
        Assert.Equal(60, recent.Count);
        Assert.Equal(["start", "submitted", "succeeded", "failed"], recent[0].EnumerateObject().Select(p => p.Name));
        var starts = recent.Select(b => b.GetProperty("start").GetDateTimeOffset()).ToList();
        Assert.All(starts, s => Assert.Equal(0, s.ToUnixTimeMilliseconds() % 10_000));
        Assert.Equal(TimeSpan.FromSeconds(590), starts[^1] - starts[0]);
        Assert.Equal(1, recent.Sum(b => b.GetProperty("submitted").GetInt64()));
        Assert.Equal(ThroughputBucket.StartOf(oldest), recent.Single(b => b.GetProperty("submitted").GetInt64() == 1).GetProperty("start").GetDateTimeOffset());
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
        return await ApiAssert.OkAsync(response);
    }
}
