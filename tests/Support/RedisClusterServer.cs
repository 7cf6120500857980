using System.Diagnostics;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// A Redis Cluster of three primaries on loopback (<c>redis-server --cluster-enabled yes</c>, joined with
/// <c>redis-cli --cluster create</c>), each with AOF <c>always</c>, for the claims about running on a cluster.
/// </summary>
public sealed class RedisClusterServer : IAsyncDisposable
{
    private static readonly string[] CreateOptions = ["--cluster-replicas", "0", "--cluster-yes"];

    private RedisClusterServer(List<RedisServer> nodes) => Nodes = nodes;

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>Every node, as a StackExchange.Redis connection string lists them (the client discovers the slots).</summary>
    public string ConnectionString => string.Join(',', Nodes.Select(n => n.ConnectionString));

    public static async Task<RedisClusterServer> StartAsync(int primaries = 3)
    {
        var nodes = new List<RedisServer>();
        try
        {
            for (var i = 0; i < primaries; i++)
                nodes.Add(await RedisServer.StartAsync(appendOnly: true, appendFsync: "always", extraArguments: ["--cluster-enabled", "yes", "--cluster-node-timeout", "5000",
                    // Its bus port, port + 10000 by default, could be one given to another process, or an ephemeral one.
                    "--cluster-port", LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            var create = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            create.ArgumentList.Add("--cluster");
            create.ArgumentList.Add("create");
            foreach (var node in nodes) create.ArgumentList.Add(node.ConnectionString);
            foreach (var arg in CreateOptions) create.ArgumentList.Add(arg);
            using var process = Process.Start(create) ?? throw new InvalidOperationException("could not run redis-cli");
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"redis-cli --cluster create failed:\n{output}");
            // The nodes agree on the slots a moment after create returns.
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var states = await Task.WhenAll(nodes.Select(async n => (string?)await n.Connection.GetDatabase().ExecuteAsync("CLUSTER", "INFO")));
                if (states.All(s => s is not null && s.Contains("cluster_state:ok", StringComparison.Ordinal))) break;
                if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"the Redis Cluster did not become ok:\n{string.Join("\n", states)}");
                await Task.Delay(200);
            }
            return new RedisClusterServer(nodes);
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}
