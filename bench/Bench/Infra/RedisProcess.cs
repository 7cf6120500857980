using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// A redis-server of the bench's own: free loopback port, temporary directory, AOF on with
/// <c>appendfsync everysec</c> (the durable setting a deployment would use), no RDB snapshots.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ChildProcesses.OutputTail _output;
    private readonly string[] _arguments;
    private Process _process;

    private RedisProcess(Process process, string directory, int port, ConnectionMultiplexer admin, ChildProcesses.OutputTail output, string[] arguments)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Admin = admin;
        _output = output;
        _arguments = arguments;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>An admin connection, for INFO and CONFIG only (it adds its own few commands to commandstats).</summary>
    public ConnectionMultiplexer Admin { get; }

    private IServer Server => Admin.GetServer("127.0.0.1", Port);

    /// <param name="persistence"><c>everysec</c> (default) or <c>always</c>: AOF with that fsync; <c>off</c>: nothing is persisted.</param>
    public static async Task<RedisProcess> StartAsync(CancellationToken cancellationToken, string persistence = "everysec")
    {
        var port = LoopbackPorts.Next();
        var directory = Directory.CreateTempSubdirectory("dtq-bench-redis-").FullName;
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
            "--save", "", "--appendonly", persistence == "off" ? "no" : "yes", "--appendfsync", persistence == "always" ? "always" : "everysec", "--protected-mode", "no",
        ];
        var output = new ChildProcesses.OutputTail(50);
        var process = Launch(arguments, output);
        var admin = await WaitReadyAsync(process, port, output, cancellationToken);
        return new RedisProcess(process, directory, port, admin, output, arguments);
    }

    /// <summary>SIGKILL: Redis gets no chance to write anything more, as in a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the killed server again on its port and directory (reloading its AOF, if it kept one).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        _process.Dispose();
        _process = Launch(_arguments, _output);
        using var probe = await WaitReadyAsync(_process, Port, _output, cancellationToken);
    }

    private static Process Launch(string[] arguments, ChildProcesses.OutputTail output)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server).", ex);
        }
        ChildProcesses.Add(process);
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<ConnectionMultiplexer> WaitReadyAsync(Process process, int port, ChildProcesses.OutputTail output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true,abortConnect=true,connectTimeout=500,syncTimeout=30000,asyncTimeout=30000");
                await admin.GetDatabase().PingAsync();
                return admin;
            }
            catch (RedisConnectionException) when (clock.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (RedisConnectionException ex)
            {
                await ChildProcesses.StopAsync(process, TimeSpan.FromSeconds(5));
                throw new InvalidOperationException($"redis-server did not answer on port {port}:\n{output}", ex);
            }
        }
    }

    /// <summary>One INFO section as key → value.</summary>
    public async Task<Dictionary<string, string>> InfoAsync(string section)
    {
        var raw = await Server.InfoRawAsync(section) ?? "";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in raw.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length == 0 || text[0] == '#') continue;
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) values[text[..colon]] = text[(colon + 1)..];
        }
        return values;
    }

    /// <summary><c>used_memory</c> in bytes.</summary>
    public async Task<long> UsedMemoryBytesAsync()
    {
        var info = await InfoAsync("memory");
        return long.Parse(info["used_memory"], CultureInfo.InvariantCulture);
    }

    /// <summary>Calls per command from <c>INFO commandstats</c> (e.g. "set" → 1234).</summary>
    public async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var info = await InfoAsync("commandstats");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in info)
        {
            if (!key.StartsWith("cmdstat_", StringComparison.Ordinal)) continue;
            foreach (var part in value.Split(','))
            {
                if (part.StartsWith("calls=", StringComparison.Ordinal))
                    calls[key["cmdstat_".Length..]] = long.Parse(part["calls=".Length..], CultureInfo.InvariantCulture);
            }
        }
        return calls;
    }

    /// <summary>
    /// What Redis has done so far: calls per command (INFO itself left out), bytes received, AOF size (-1 when off)
    /// and CPU seconds (user + system, main thread and its helpers).
    /// </summary>
    public async Task<Counters> CountersAsync()
    {
        var calls = await CommandCallsAsync();
        calls.Remove("info");
        var stats = await InfoAsync("stats");
        var persistence = await InfoAsync("persistence");
        var cpu = await InfoAsync("cpu");
        return new Counters(
            calls,
            long.Parse(stats["total_net_input_bytes"], CultureInfo.InvariantCulture),
            persistence.TryGetValue("aof_current_size", out var aof) ? long.Parse(aof, CultureInfo.InvariantCulture) : -1,
            double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture));
    }

    /// <summary>A reading of <see cref="CountersAsync"/>.</summary>
    public sealed record Counters(Dictionary<string, long> Calls, long InputBytes, long AofBytes, double CpuSeconds)
    {
        public long TotalCalls => Calls.Values.Sum();

        /// <summary>Calls per command between <paramref name="before"/> and this reading (commands with none left out).</summary>
        public Dictionary<string, long> CallsSince(Counters before) =>
            Calls.Select(c => (c.Key, Delta: c.Value - before.Calls.GetValueOrDefault(c.Key)))
                .Where(c => c.Delta > 0)
                .ToDictionary(c => c.Key, c => c.Delta, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        await ChildProcesses.StopAsync(_process, TimeSpan.FromSeconds(10));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
