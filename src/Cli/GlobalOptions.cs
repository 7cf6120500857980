using System.CommandLine;

namespace DistributedTaskQueue.Cli;

/// <summary>
/// Options every verb takes. Each falls back to the environment variable the silo itself reads
/// (<c>TaskQueue__Redis</c>, <c>TaskQueue__ClusterId</c>, ...), so a shell set up for a silo reaches its cluster as is.
/// </summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Redis = new("--redis")
    {
        Description = "Redis connection string of the cluster (default: TaskQueue__Redis; without either, a local embedded silo on the gateway port)",
        Recursive = true,
    };

    public static readonly Option<string?> ClusterId = new("--cluster-id")
    {
        Description = "Orleans cluster id (default: TaskQueue__ClusterId, else dtq)",
        Recursive = true,
    };

    public static readonly Option<string?> ServiceId = new("--service-id")
    {
        Description = "Orleans service id (default: TaskQueue__ServiceId, else dtq)",
        Recursive = true,
    };

    public static readonly Option<int?> Partitions = new("--partitions")
    {
        Description = "Partitions per queue; must match the silos' (default: TaskQueue__PartitionsPerQueue, else 1)",
        Recursive = true,
    };

    public static readonly Option<int?> GatewayPort = new("--gateway-port")
    {
        Description = "Gateway port of a local embedded silo, used when no Redis is given (default: TaskQueue__GatewayPort, else 30000)",
        Recursive = true,
    };

    public static readonly Option<TimeSpan> ConnectTimeout = new("--connect-timeout")
    {
        Description = "How long to wait for the cluster to answer before exit code 4 (e.g. 500ms, 15s, 1m)",
        Recursive = true,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(15),
        CustomParser = Durations.ParseArgument,
        Validators = { result => { if (result.GetValueOrDefault<TimeSpan>() <= TimeSpan.Zero) result.AddError("--connect-timeout must be more than 0."); } },
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write one JSON document to stdout instead of text, for scripts",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Redis);
        root.Options.Add(ClusterId);
        root.Options.Add(ServiceId);
        root.Options.Add(Partitions);
        root.Options.Add(GatewayPort);
        root.Options.Add(ConnectTimeout);
        root.Options.Add(Json);
    }
}
