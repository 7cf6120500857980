using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Cli;

/// <summary>A silo process serving one queue, the arguments that point dtq at it, and a TaskClient to check what dtq says.</summary>
internal sealed class CliCluster : IAsyncDisposable
{
    private readonly SiloProcess _silo;
    private readonly string[] _connection;

    private CliCluster(SiloProcess silo, TaskClient client, string[] connection)
    {
        _silo = silo;
        Client = client;
        _connection = connection;
    }

    public TaskClient Client { get; }

    public static async Task<CliCluster> StartAsync(RedisServer redis, string queue)
    {
        var clusterId = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var silo = await SiloProcess.StartAsync(redis, clusterId, [queue]);
        var client = await TaskClient.ConnectAsync(redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
        });
        return new CliCluster(silo, client, ["--redis", redis.ConnectionString, "--cluster-id", clusterId, "--service-id", clusterId]);
    }

    public Task<DtqProcess.Result> RunAsync(params string[] args) => DtqProcess.RunAsync([.. args, .. _connection]);

    public Task<DtqProcess.Result> RunAsync(string[] args, string stdin) => DtqProcess.RunAsync([.. args, .. _connection], stdin);

    /// <summary>Runs dtq and fails the test, showing its output, unless it exits 0.</summary>
    public async Task<DtqProcess.Result> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"dtq {string.Join(' ', args)}: {result}");
        return result;
    }

    public async Task<DtqProcess.Result> RunOkAsync(string[] args, string stdin)
    {
        var result = await RunAsync(args, stdin);
        Assert.True(result.ExitCode == 0, $"dtq {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>dtq exits <paramref name="exitCode"/> with one line on stderr that contains <paramref name="reason"/>, and prints nothing on stdout.</summary>
    public async Task AssertRefusedAsync(int exitCode, string reason, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == exitCode, $"dtq {string.Join(' ', args)}: expected exit {exitCode}, got {result}");
        Assert.Single(result.Stderr.Split('\n'));
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _silo.DisposeAsync();
    }
}
