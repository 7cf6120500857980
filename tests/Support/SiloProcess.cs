using System.Diagnostics;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>A silo as its own OS process (the built src/Silo), configured through environment variables as in a deployment.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private SiloProcess(Process process) => _process = process;

    public int HttpPort { get; private init; }

    public int SiloPort { get; private init; }

    public bool HasExited => _process.HasExited;

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>
    /// A silo configured only by <paramref name="environment"/> (as a container is), serving HTTP on <paramref name="httpPort"/>
    /// through <c>ASPNETCORE_HTTP_PORTS</c>, which the environment must set to it.
    /// </summary>
    public static async Task<SiloProcess> StartWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, int httpPort)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DistributedTaskQueue.Silo.dll"));
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("TaskQueue__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return await LaunchAsync(start, httpPort, siloPort: 0);
    }

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
        return await LaunchAsync(start, httpPort, siloPort);
    }

    private static async Task<SiloProcess> LaunchAsync(ProcessStartInfo start, int httpPort, int siloPort)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo process");
        var silo = new SiloProcess(process) { HttpPort = httpPort, SiloPort = siloPort };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (silo._output) silo._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (silo._output) silo._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo.WaitHealthyAsync();
        }
        catch
        {
            // Not handed to the test, so nothing else would stop it: a silo that was not healthy in time ran on after the
            // test failed (seen: one left running an hour later).
            await silo.DisposeAsync();
            throw;
        }
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

    /// <summary>SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a stalled VM.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}");
    }

    /// <summary>SIGTERM, then waits for the process to leave its cluster and exit (as Kubernetes stops a pod).</summary>
    public async Task StopAsync()
    {
        await SignalAsync("TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        // SIGKILL ends a frozen process too.
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
