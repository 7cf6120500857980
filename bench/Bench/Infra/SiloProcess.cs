using System.Diagnostics;
using System.Globalization;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// A silo as its own OS process, configured through environment variables as in a deployment. By default the
/// stock <c>src/Silo</c> binary (built beside this one); <see cref="SiloKind.Counting"/> runs this assembly's
/// <c>silo-host</c> mode, the same silo plus a per-silo execution counter at <c>/bench/executed</c>.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ChildProcesses.OutputTail _output = new();

    private SiloProcess(Process process, int httpPort, int gatewayPort, string name, DateTimeOffset launchedAt, long launchedTimestamp)
    {
        _process = process;
        HttpPort = httpPort;
        GatewayPort = gatewayPort;
        Name = name;
        LaunchedAt = launchedAt;
        LaunchedTimestamp = launchedTimestamp;
    }

    private StreamWriter? _log;

    /// <summary>Where every silo's whole output goes (kept after the run, for post-mortems).</summary>
    public static string LogDirectory { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "dtq-bench-logs")).FullName;

    public string LogPath { get; private set; } = "";

    public int HttpPort { get; }

    public int GatewayPort { get; }

    /// <summary>Wall clock just before the process was started (this machine's clock, which the silo's clock also reads).</summary>
    public DateTimeOffset LaunchedAt { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long LaunchedTimestamp { get; }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public string Output => _output.ToString();

    /// <param name="serviceId">The service id (the prefix of every stored key); the cluster id when null.</param>
    /// <param name="settings">More environment variables (configuration), e.g. <c>TaskQueue__CleanupInterval</c>.</param>
    /// <param name="waitHealthy">Whether to return only once <c>/healthz</c> answers (the cold scenario times the start itself).</param>
    public static async Task<SiloProcess> StartAsync(
        string name, string redis, string clusterId, string queue, int maxConcurrentTasks, SiloKind kind, CancellationToken cancellationToken,
        string? serviceId = null, IReadOnlyDictionary<string, string>? settings = null, bool waitHealthy = true)
    {
        // DTQ_BENCH_SILO names another directory for the stock silo, e.g. a ReadyToRun or a self-contained composite publish
        // (`cold` compares them).
        var directory = kind == SiloKind.Stock && Environment.GetEnvironmentVariable("DTQ_BENCH_SILO") is { Length: > 0 } other ? Path.GetFullPath(other) : AppContext.BaseDirectory;
        var dll = Path.Combine(directory, kind == SiloKind.Stock ? "DistributedTaskQueue.Silo.dll" : "DistributedTaskQueue.Bench.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build bench/Bench (it builds src/Silo too).", dll);
        var httpPort = LoopbackPorts.Next();
        // A self-contained publish (it carries its own host library) runs through its own executable, as its image would;
        // anything else through the shared `dotnet` host.
        var selfContained = File.Exists(Path.Combine(directory, "libhostfxr.so"));
        var start = new ProcessStartInfo(selfContained ? Path.ChangeExtension(dll, null) : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        if (!selfContained) start.ArgumentList.Add(dll);
        if (kind == SiloKind.Counting) start.ArgumentList.Add(SiloHost.Command);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{httpPort}");
        var env = start.Environment;
        env["TaskQueue__Redis"] = redis;
        env["TaskQueue__ClusterId"] = clusterId;
        env["TaskQueue__ServiceId"] = serviceId ?? clusterId;
        env["TaskQueue__SiloPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
        var gatewayPort = LoopbackPorts.Next();
        env["TaskQueue__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        env["TaskQueue__AdvertisedAddress"] = "127.0.0.1";
        env["TaskQueue__Worker__Queues__0"] = queue;
        env["TaskQueue__Worker__MaxConcurrentTasks"] = maxConcurrentTasks.ToString(CultureInfo.InvariantCulture);
        env["TaskQueue__Worker__WorkerId"] = name;
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        var launchedAt = TimeProvider.System.GetUtcNow();
        var launchedTimestamp = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo process");
        ChildProcesses.Add(process);
        var silo = new SiloProcess(process, httpPort, gatewayPort, name, launchedAt, launchedTimestamp);
        silo.LogPath = Path.Combine(LogDirectory, $"{clusterId}-{name}.log");
        silo._log = new StreamWriter(silo.LogPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!waitHealthy) return silo;
        try
        {
            await silo.WaitHealthyAsync(cancellationToken);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited) throw new InvalidOperationException($"Silo {Name} exited with {_process.ExitCode} (log {LogPath}):\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"), cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"Silo {Name} was not healthy within 90 s:\n{Output}");
    }

    /// <summary>Resident memory of the silo process (VmRSS from /proc), in bytes; -1 where /proc is missing.</summary>
    public long ResidentBytes()
    {
        var path = $"/proc/{_process.Id}/status";
        if (!File.Exists(path)) return -1;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        return -1;
    }

    /// <summary>CPU time (user + system) the silo process has used so far, from /proc; -1 where /proc is missing.</summary>
    public double CpuSeconds()
    {
        var path = $"/proc/{_process.Id}/stat";
        if (!File.Exists(path)) return -1;
        // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
        var text = File.ReadAllText(path);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)ClockTicksPerSecond;
    }

    /// <summary>USER_HZ: 100 on every Linux this runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>Tasks this silo's handler ran (counting silos only).</summary>
    public async Task<long> ExecutedAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}{SiloHost.ExecutedPath}"), cancellationToken);
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        _output.Add(line);
        lock (_output)
        {
            _log?.WriteLine(line);
        }
    }

    /// <summary>Sends SIGTERM (the silo's graceful stop: partitions closed cleanly) and waits at most <paramref name="wait"/> for the exit.</summary>
    public async Task StopGracefullyAsync(TimeSpan wait)
    {
        using (var term = Process.Start("kill", ["-TERM", ProcessId.ToString(CultureInfo.InvariantCulture)]) ?? throw new InvalidOperationException("could not run kill"))
            await term.WaitForExitAsync();
        await WaitForExitAsync(wait);
    }

    /// <summary>Waits for the process to exit by itself (after a SIGTERM), at most <paramref name="wait"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Still running: DisposeAsync kills it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcesses.StopAsync(_process, TimeSpan.FromSeconds(10));
        lock (_output)
        {
            _log?.Dispose();
            _log = null;
        }
    }
}

internal enum SiloKind
{
    /// <summary>The stock src/Silo binary.</summary>
    Stock,

    /// <summary>This assembly's silo-host mode: stock hosting plus an execution counter.</summary>
    Counting,
}
