using Microsoft.Extensions.Configuration;
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
    /// and shares its settings, so <paramref name="configure"/> is refused there.
    /// </summary>
    public static IServiceCollection AddTaskQueueClient(this IServiceCollection services, Action<TaskQueueOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var coHosted = services.Any(d => d.ServiceType == typeof(IClusterClient));
        if (!coHosted)
        {
            services.AddOptions<TaskQueueOptions>()
                .BindTaskQueue()
                .Configure(o => configure?.Invoke(o))
                .Validate(o => { o.Validate(); return true; });
            services.AddOrleansClient(client => ConfigureClusteringFromServices(client, configure));
        }
        else if (configure is not null)
        {
            // A task-queue silo registers its settings as one fixed instance that its grains read too: a change
            // made here could not reach them, and would be dropped without a word. Refuse it instead.
            if (services.Any(d => d.ServiceType == typeof(IOptions<TaskQueueOptions>) && d.ImplementationInstance is not null))
                throw new InvalidOperationException("AddTaskQueueClient(configure) in a task-queue silo's host: the client shares the silo's TaskQueue settings; set them in UseTaskQueueSilo (or TaskQueue configuration) instead.");
            services.PostConfigure(configure);
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
            client.UseRedisClustering(options.RedisConnectionString);
    }

    private static void ConfigureClusteringFromServices(IClientBuilder client, Action<TaskQueueOptions>? configure)
    {
        // Clustering must be chosen while the container is built, so read the same configuration the options bind from.
        var options = TaskQueueConfiguration.Bind(client.Configuration, new TaskQueueOptions());
        configure?.Invoke(options);
        ConfigureClustering(client, options, TaskQueueConfiguration.GatewayPort(client.Configuration));
    }
}
