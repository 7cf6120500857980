using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace DistributedTaskQueue;

/// <summary>Registers <see cref="TaskClient"/> with an app's DI container.</summary>
public static class TaskQueueClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="TaskClient"/>. Settings bind from the <c>TaskQueue</c> section
    /// (<c>TaskQueue:Redis</c> names the cluster's Redis; without it, a local embedded silo on gateway <see cref="TaskQueueConfiguration.DefaultGatewayPort"/>).
    /// In a host that is itself a silo (call this after <c>UseTaskQueueSilo</c>), the client uses the silo directly
    /// and shares its settings, so <paramref name="configure"/> is refused there (as in a second call of this method).
    /// The settings are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddTaskQueueClient(this IServiceCollection services, Action<TaskQueueOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.Any(d => d.ServiceType == typeof(IValidateOptions<TaskQueueOptions>) && d.ImplementationType == typeof(TaskQueueOptionsValidator));
        if (registered)
        {
            // A task-queue silo in this host registered the settings, and chose its clustering, cluster ids and storage
            // from them while it was built (an earlier call chose its Orleans client's): a change made here would reach
            // the options but not those. Refuse it rather than split the settings.
            if (configure is not null)
                throw new InvalidOperationException("AddTaskQueueClient(configure) in a host whose TaskQueue settings are registered already (a task-queue silo's, or an earlier AddTaskQueueClient's): the client shares them; set them in UseTaskQueueSilo (or TaskQueue configuration) instead.");
        }
        else
        {
            services.AddTaskQueueOptions().BindTaskQueue().Configure(o => configure?.Invoke(o));
            // An app that set up its own Orleans client keeps it; else the client is built from the same settings.
            if (!services.Any(d => d.ServiceType == typeof(IClusterClient)))
                services.AddOrleansClient(client => ConfigureClusteringFromServices(client, configure));
        }
        services.TryAddSingleton(sp => new TaskClient(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IOptions<TaskQueueOptions>>(), sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>Points an Orleans client at the cluster: Redis clustering when configured, else a local gateway.</summary>
    internal static void ConfigureClustering(IClientBuilder client, TaskQueueOptions options, int gatewayPort)
    {
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        if (string.IsNullOrWhiteSpace(options.RedisConnectionString))
            client.UseLocalhostClustering(gatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        else
            client.UseRedisClustering(o => o.ConfigurationOptions = TaskQueueRedis.Configuration(options));
        if (TaskQueueTls.IsOn(options)) client.UseTls(TaskQueueTls.Certificate(options), tls => TaskQueueTls.Configure(tls, options));
    }

    private static void ConfigureClusteringFromServices(IClientBuilder client, Action<TaskQueueOptions>? configure)
    {
        // Clustering must be chosen while the container is built, so read the same configuration the options bind from.
        var options = TaskQueueConfiguration.Bind(client.Configuration, new TaskQueueOptions());
        configure?.Invoke(options);
        ConfigureClustering(client, options, TaskQueueConfiguration.GatewayPort(client.Configuration));
    }
}
