using System.Diagnostics;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>Real processes: a silo started from src/Silo and this test process as a client, meeting only through Redis clustering.</summary>
[Collection(RedisGroup.Name)]
public sealed class ProcessTests(RedisFixture fixture)
{
    [Fact]
    public async Task SiloProcess_AndClientProcess_CompleteATask_ThroughRedisClustering()
    {
        var clusterId = "proc-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await SiloProcess.StartAsync(fixture.Redis, clusterId, ["proc"], partitionsPerQueue: 2);

        await using var client = await TaskClient.ConnectAsync(fixture.Redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
            o.PartitionsPerQueue = 2;
        });
        var id = await client.SubmitAsync(BuiltInTasks.Echo, """{"hello":"world"}""", "proc");
        var result = await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(30));

        Assert.Equal("world", result.GetProperty("hello").GetString());
        Assert.Equal(TaskState.Succeeded, (await client.GetTaskAsync(id))!.State);

        // The silo's JSON API reports what its worker ran.
        using var http = new HttpClient();
        var worker = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{silo.HttpPort}/api/worker"))).RootElement;
        Assert.Equal(1, worker.GetProperty("succeeded").GetInt64());
        Assert.Equal(0, worker.GetProperty("running").GetInt32());
        Assert.Equal((await client.GetTaskAsync(id))!.Worker, worker.GetProperty("workerId").GetString());
        var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{silo.HttpPort}/api/queues/proc/stats"))).RootElement;
        Assert.Equal(1, stats.GetProperty("succeeded").GetInt64());

        // Submits through the API spread over the queue's partitions, and run.
        var posted = new List<TaskId>();
        for (var i = 0; i < 4; i++)
        {
            using var body = new StringContent($$"""{"taskName":"{{BuiltInTasks.Echo}}","payload":{{i}}}""", System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{silo.HttpPort}/api/queues/proc/tasks"), body);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            posted.Add(TaskId.Parse(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!));
        }
        Assert.Equal([0, 1], posted.Select(p => p.Partition).Distinct().Order());
        foreach (var (postedId, i) in posted.Select((p, i) => (p, i)))
            Assert.Equal(i, (await client.WaitForResultAsync<JsonElement>(postedId, TimeSpan.FromSeconds(30))).GetInt32());
    }
}
