using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Several silos in this process (Orleans TestingHost) whose partitions live in a real Redis, each running
/// its own worker loop with the test handlers. A fixed service id lets a second cluster find the first one's data.
/// </summary>
public sealed class TaskQueueCluster : IAsyncDisposable
{
    private TaskQueueCluster(InProcessTestCluster cluster, TaskClient client)
    {
        Cluster = cluster;
        Client = client;
    }

    public InProcessTestCluster Cluster { get; }

    public TaskClient Client { get; }

    public static async Task<TaskQueueCluster> StartAsync(
        RedisServer redis,
        string[] queues,
        short silos = 1,
        int concurrency = 8,
        string? serviceId = null,
        Action<string, TaskQueueSiloOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ServiceId = serviceId ?? Guid.NewGuid().ToString("N");
        builder.ConfigureSilo((siloOptions, silo) =>
        {
            var settings = new TaskQueueSiloOptions
            {
                Options = new TaskQueueOptions { RedisConnectionString = redis.ConnectionString },
                Worker = new WorkerOptions { Queues = queues, MaxConcurrentTasks = concurrency, PollingInterval = TimeSpan.FromSeconds(2) },
            };
            configure?.Invoke(siloOptions.SiloName, settings);
            silo.AddTaskQueue(settings);
            silo.Services.AddTaskHandler<RecordTaskHandler>();
            silo.Services.AddTaskHandler<FailTaskHandler>();
            silo.Services.AddTaskHandler<WaitTaskHandler>();
            silo.Services.AddTaskHandler<BuiltInTaskHandler>();
            services?.Invoke(silo.Services);
        });
        builder.ConfigureHost(host =>
        {
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            // DTQ_TEST_LOGS=1 shows the silos' own logs when a test needs explaining.
            if (Environment.GetEnvironmentVariable("DTQ_TEST_LOGS") == "1")
                host.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").AddFilter("DistributedTaskQueue", LogLevel.Debug);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var client = new TaskClient(cluster.Client, Options.Create(new TaskQueueOptions()));
        return new TaskQueueCluster(cluster, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
