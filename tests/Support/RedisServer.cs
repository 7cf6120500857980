using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A real redis-server on a free loopback port, in a temporary directory, owned by the test that started it.
/// Claims about persistence, failover and ordering are tested against this, never against a mock.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port, ConnectionMultiplexer connection)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A connection for assertions on what Redis holds.</summary>
    public ConnectionMultiplexer Connection { get; }

    public IServer Server => Connection.GetServer("127.0.0.1", Port);

    public static async Task<RedisServer> StartAsync(bool appendOnly = false)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("dtq-redis-").FullName;
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dir", directory,
                "--save", "",
                "--appendonly", appendOnly ? "yes" : "no",
                "--appendfsync", "everysec",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true,abortConnect=true,connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return new RedisServer(process, directory, port, connection);
            }
            catch (RedisConnectionException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
