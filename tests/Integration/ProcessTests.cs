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

/// <summary>Crashes of real silo processes: SIGKILL, no chance to clean up.</summary>
[Collection(RedisGroup.Name)]
public sealed class CrashTests(RedisFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task SigkillingTheSiloProcessRunningATask_RunsItToCompletionOnTheOtherSilo()
    {
        var clusterId = "crash-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await SiloProcess.StartAsync(fixture.Redis, clusterId, ["crash"]);
        await using var second = await SiloProcess.StartAsync(fixture.Redis, clusterId, ["crash"]);
        await using var client = await TaskClient.ConnectAsync(fixture.Redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
        });
        var id = await client.SubmitAsync(BuiltInTasks.Sleep, """{"milliseconds": 4000}""", "crash");
        TaskInfo running;
        while ((running = (await client.GetTaskAsync(id))!).State != TaskState.Running) await Task.Delay(20);

        var victim = running.Worker!.Contains($":{first.SiloPort}@", StringComparison.Ordinal) ? first : second;
        var clock = Stopwatch.StartNew();
        victim.Kill();
        var done = await client.WaitAsync(id, TimeSpan.FromSeconds(120));
        output.WriteLine($"SIGKILL to the task finishing on the other silo: {clock.ElapsedMilliseconds} ms (the task sleeps 4,000 ms)");

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(2, done.Attempts);
        Assert.DoesNotContain($":{victim.SiloPort}@", done.Worker, StringComparison.Ordinal);
        Assert.Equal("4000", done.ResultJson);
    }
}

/// <summary>A silo as its own OS process (the built src/Silo), configured through environment variables as in a deployment.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private SiloProcess(Process process) => _process = process;

    public int HttpPort { get; private init; }

    public int SiloPort { get; private init; }

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    public static async Task<SiloProcess> StartAsync(RedisServer redis, string clusterId, string[] queues, int partitionsPerQueue = 1)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "DistributedTaskQueue.Silo.dll");
        var httpPort = RedisServer.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{httpPort}");
        start.Environment["TaskQueue__Redis"] = redis.ConnectionString;
        start.Environment["TaskQueue__ClusterId"] = clusterId;
        start.Environment["TaskQueue__ServiceId"] = clusterId;
        var siloPort = RedisServer.FreePort();
        start.Environment["TaskQueue__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TaskQueue__GatewayPort"] = RedisServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TaskQueue__AdvertisedAddress"] = "127.0.0.1";
        start.Environment["TaskQueue__PartitionsPerQueue"] = partitionsPerQueue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < queues.Length; i++) start.Environment[$"TaskQueue__Worker__Queues__{i}"] = queues[i];
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo process");
        var silo = new SiloProcess(process) { HttpPort = httpPort, SiloPort = siloPort };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (silo._output) silo._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (silo._output) silo._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await silo.WaitHealthyAsync();
        return silo;
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited) throw new InvalidOperationException($"The silo process exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"))).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The silo process was not healthy within 60 s:\n{Output}");
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
