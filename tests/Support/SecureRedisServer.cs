using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A real redis-server that takes TLS connections only (certificates of <see cref="TestCertificates"/>, client
/// certificates required) and one ACL user, limited to the keys of one service id (every key the queue writes starts
/// with it: <c>{serviceId}/members/</c>, <c>/state/</c>, <c>/reminders</c>); the default user is off.
/// </summary>
public sealed class SecureRedisServer : IAsyncDisposable
{
    public const string User = "dtq";
    public const string Password = "s3cret-Pa55";
    private readonly Process _process;
    private readonly string _directory;

    private SecureRedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string a silo or client is given: TLS on, the ACL user and its password.</summary>
    public string ConnectionString(string password = Password) => $"127.0.0.1:{Port},ssl=true,user={User},password={password}";

    public static async Task<SecureRedisServer> StartAsync(TestCertificates certificates, string serviceId)
    {
        var port = RedisServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("dtq-redis-tls-").FullName;
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--port", "0", "--tls-port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
            "--appendonly", "yes", "--appendfsync", "always",
            "--tls-cert-file", certificates.ServerCertificate, "--tls-key-file", certificates.ServerKey, "--tls-ca-cert-file", certificates.CaCertificate,
            "--tls-auth-clients", "yes",
            "--user", "default", "off",
            // Its keys and every channel; every command but the dangerous ones (CONFIG, KEYS, FLUSHALL...).
            "--user", User, "on", ">" + Password, $"~{serviceId}/*", "&*", "+@all", "-@dangerous",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
        var output = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new SecureRedisServer(process, directory, port);
        var options = TaskQueueRedis.Configuration(new TaskQueueOptions
        {
            RedisConnectionString = server.ConnectionString() + ",connectTimeout=500",
            RedisCaCertificate = certificates.CaCertificate,
            RedisClientCertificate = certificates.ClientCertificate,
            RedisClientKey = certificates.ClientKey,
        });
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                lock (output) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}:\n{string.Join('\n', output)}");
            }
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync(options);
                await probe.GetDatabase().PingAsync();
                return server;
            }
            catch (RedisConnectionException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
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
}
