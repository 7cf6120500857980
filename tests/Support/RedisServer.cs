using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A real redis-server on a free loopback port, in a temporary directory, owned by the test that started it.
/// Claims about persistence, failover and ordering are tested against this, never against a mock. It can be
/// SIGKILLed and restarted on the same port and directory, so its AOF file is what the restart reads.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string[] _arguments;
    private Process _process;

    private RedisServer(Process process, string directory, string[] arguments, int port, ConnectionMultiplexer connection)
    {
        _process = process;
        _directory = directory;
        _arguments = arguments;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A connection for assertions on what Redis holds (it reconnects by itself after a restart).</summary>
    public ConnectionMultiplexer Connection { get; }

    public IServer Server => Connection.GetServer("127.0.0.1", Port);

    /// <summary>The server's process id (changes on <see cref="RestartAsync"/>).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts a redis-server. <paramref name="appendFsync"/>, <paramref name="maxMemory"/> and
    /// <paramref name="maxMemoryPolicy"/> set the durability and eviction settings the silo checks;
    /// <paramref name="extraArguments"/> go on the command line as they are (<c>--rename-command CONFIG ""</c>).
    /// </summary>
    public static async Task<RedisServer> StartAsync(
        bool appendOnly = false,
        string appendFsync = "everysec",
        string? maxMemory = null,
        string? maxMemoryPolicy = null,
        params string[] extraArguments)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("dtq-redis-").FullName;
        List<string> arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", directory,
            "--save", "",
            "--appendonly", appendOnly ? "yes" : "no",
            "--appendfsync", appendFsync,
        ];
        if (maxMemory is not null) arguments.AddRange(["--maxmemory", maxMemory]);
        if (maxMemoryPolicy is not null) arguments.AddRange(["--maxmemory-policy", maxMemoryPolicy]);
        arguments.AddRange(extraArguments);
        var process = Launch([.. arguments]);
        var connection = await ConnectAsync(port, process);
        return new RedisServer(process, directory, [.. arguments], port, connection);
    }

    /// <summary>SIGKILL: Redis gets no chance to flush or save anything, as in a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts redis-server again on the same port, directory and settings (so it reloads its AOF file), once it is stopped.</summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited) throw new InvalidOperationException("Kill the server before restarting it.");
        _process.Dispose();
        _process = Launch(_arguments);
        // Reading the AOF back happens before Redis answers PING, so once this returns the data is there.
        using var probe = await ConnectAsync(Port, _process);
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>A loopback port no process listens on, never given out before in this test run.</summary>
    public static int FreePort() => LoopbackPorts.Next();

    private static Process Launch(string[] arguments)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(int port, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ConnectionMultiplexer? connection = null;
            try
            {
                connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true,abortConnect=true,connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return connection;
            }
            // RedisServerException: "LOADING" while a restarted server reads its AOF back.
            catch (RedisException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
            {
                connection?.Dispose();
                await Task.Delay(50);
            }
        }
    }
}
