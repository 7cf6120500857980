using System.Net;
using DistributedTaskQueue.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Hosting;

namespace DistributedTaskQueue;

/// <summary>Hosts the task queue in an Orleans silo: on Redis when configured, embedded in memory otherwise.</summary>
public static partial class TaskQueueSiloExtensions
{
    /// <summary>
    /// Makes this host a task-queue silo. Settings come from the <c>TaskQueue</c> configuration section
    /// (<c>TaskQueue:Redis</c>, <c>TaskQueue:ClusterId</c>, <c>TaskQueue:SiloPort</c>, <c>TaskQueue:Worker:Queues:0</c> …),
    /// then from <paramref name="configure"/>. With no Redis configured it runs one embedded silo on localhost
    /// with in-memory storage and reminders, and says so in the log.
    /// </summary>
    public static TaskQueueSiloOptions UseTaskQueueSilo(this IHostApplicationBuilder builder, Action<TaskQueueSiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = Bind(builder.Configuration);
        configure?.Invoke(settings);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.Options.ClusterId;
                o.ServiceId = settings.Options.ServiceId;
            });
            if (settings.IsEmbedded)
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.Options.ServiceId, clusterId: settings.Options.ClusterId);
            }
            else
            {
                silo.UseRedisClustering(o => o.ConfigurationOptions = TaskQueueRedis.Configuration(settings.Options));
                // On the connection partitions, schedules and reminders use (registered by AddTaskQueue): one handshake fewer at start.
                silo.Services.AddOptions<RedisClusteringOptions>().Configure<SiloRedis>((o, connection) => o.CreateMultiplexer = connection.SharedAsync);
                silo.Configure<ClusterMembershipOptions>(o => ApplyFailureDetection(settings.FailureDetection, o));
                if (IPAddress.TryParse(settings.AdvertisedAddress, out var advertised))
                    silo.ConfigureEndpoints(advertised, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
                else
                    silo.ConfigureEndpoints(settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            }
            // Mutual TLS between silos and with clients: a connection without a certificate the cluster's CA signed is refused.
            if (TaskQueueTls.IsOn(settings.Options)) silo.UseTls(TaskQueueTls.Certificate(settings.Options), tls => TaskQueueTls.Configure(tls, settings.Options));
            silo.AddTaskQueue(settings);
            if (settings.Dashboard.Enabled) silo.AddTaskQueueDashboard(settings.Dashboard.ProfileGrainMethods);
            // In a pod: the Orleans agent that keeps membership and pods in step (a deleted pod's silo is declared dead at
            // once, not after failure detection). It needs the RBAC of deploy/kubernetes/rbac.yaml.
            if (!settings.IsEmbedded && PodEnvironment.IsInPod(builder.Configuration)) silo.UseKubernetesHosting();
            // A task queue cluster has few grains (partitions, the catalog, schedules); the default directory cache of
            // a million entries cost 14 MB of an idle silo's memory.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = 10_000);
        });
        builder.AddTaskQueueTelemetry(settings.Metrics);
        // The worker must be able to finish its grace period before the host gives up on it. (Read from the settings:
        // the host reads its options while it is built, before the worker's options are validated at start.)
        builder.Services.Configure<HostOptions>(o =>
        {
            var needed = settings.Worker.ShutdownGracePeriod + TimeSpan.FromSeconds(15);
            if (o.ShutdownTimeout < needed) o.ShutdownTimeout = needed;
        });
        return settings;
    }

    /// <summary>
    /// Adds the task queue to a silo whose clustering is set up elsewhere (tests, custom hosts): the grains with their
    /// storage, reminders and options (<see cref="TaskQueueGrainsSiloBuilderExtensions.AddTaskQueueGrains"/>), and this
    /// silo's worker. The settings' parts are validated when the silo starts, each by its own validator.
    /// </summary>
    public static ISiloBuilder AddTaskQueue(this ISiloBuilder silo, TaskQueueSiloOptions settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        TaskQueueSiloOptionsValidator.ThrowIfInvalid(settings);
        silo.AddTaskQueueGrains(settings.Options, settings.Partitions, settings.Schedules);
        silo.AddTaskQueueWorker(settings.Worker);
        var services = silo.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PartitionOptions>, LeaseRenewalValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PartitionOptions>, SubmitDedupeValidator>());
        services.AddSingleton(settings);
        // Before the silo joins its cluster: a Redis that can drop acknowledged tasks is reported (or refused) first.
        if (!settings.IsEmbedded) services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RedisDurabilityCheck>();
        // A client on the silo's own grain factory, for the JSON API and for app code in the silo's host
        // (AddTaskQueueClient finds this silo and registers nothing more).
        services.TryAddSingleton(sp => new TaskClient(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IOptions<TaskQueueOptions>>(), sp.GetService<TimeProvider>()));
        AddHealthChecks(services, settings);
        services.AddTaskQueueAccess(settings.Access);
        services.AddHostedService<StartupBanner>();
        return silo;
    }

    /// <summary>What <c>/health/ready</c> asks: an active cluster member, Redis answering (Redis mode), the worker consuming.</summary>
    private static void AddHealthChecks(IServiceCollection services, TaskQueueSiloOptions settings)
    {
        services.AddOptions<HealthOptions>().ConfigureFrom(settings.Health).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        string[] ready = [TaskQueueHealth.ReadyTag];
        var checks = services.AddHealthChecks()
            .AddCheck<ClusterHealthCheck>("cluster", tags: ready)
            .AddCheck<WorkerHealthCheck>("worker", tags: ready);
        if (settings.IsEmbedded) return;
        // One instance, so its Redis connection is opened once and kept.
        services.TryAddSingleton<RedisHealthCheck>();
        checks.AddCheck<RedisHealthCheck>("redis", tags: ready);
        services.TryAddSingleton<RedisDataLossWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisDataLossWatch>());
        checks.AddCheck<RedisDataLossHealthCheck>("redis-data", tags: [TaskQueueHealth.ReadyTag, TaskQueueHealth.LiveTag]);
    }

    /// <summary>
    /// Our failure detection in Orleans' terms. The veto window (a silo that sent a message within MaxProbeTimeout x
    /// MissedProbesLimit is not suspected) is what kept a frozen silo alive for a minute with Orleans' defaults.
    /// </summary>
    internal static void ApplyFailureDetection(FailureDetectionOptions detection, ClusterMembershipOptions membership)
    {
        membership.ProbeTimeout = detection.ProbeTimeout;
        membership.MinProbeTimeout = detection.ProbeTimeout / 2;
        membership.MaxProbeTimeout = detection.MaxProbeTimeout;
        membership.NumMissedProbesLimit = detection.MissedProbesLimit;
        membership.NumVotesForDeathDeclaration = detection.VotesForDeathDeclaration;
        membership.TableRefreshTimeout = detection.TableRefreshTimeout;
    }

    private static TaskQueueSiloOptions Bind(IConfiguration configuration)
    {
        var settings = new TaskQueueSiloOptions();
        TaskQueueConfiguration.Bind(configuration, settings.Options);
        var section = configuration.GetSection(TaskQueueOptions.SectionName);
        section.Bind(settings.Partitions);
        section.GetSection("Worker").Bind(settings.Worker);
        section.GetSection("Schedules").Bind(settings.Schedules);
        section.GetSection("FailureDetection").Bind(settings.FailureDetection);
        section.GetSection("Dashboard").Bind(settings.Dashboard);
        section.GetSection("Metrics").Bind(settings.Metrics);
        settings.Metrics.OtlpEndpoint ??= configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        section.GetSection("Health").Bind(settings.Health);
        section.GetSection("Access").Bind(settings.Access);
        // Binding appends to a list that already holds the default: replace it when configuration names queues.
        var queues = section.GetSection("Worker:Queues").Get<string[]>();
        if (queues is { Length: > 0 }) settings.Worker.Queues = queues;
        settings.SiloPort = section.GetValue("SiloPort", settings.SiloPort);
        settings.GatewayPort = TaskQueueConfiguration.GatewayPort(configuration);
        settings.AdvertisedAddress = section["AdvertisedAddress"];
        PodEnvironment.Apply(configuration, section, settings);
        if (section["RedisDurability"] is { } durability)
        {
            settings.RedisDurability = Enum.TryParse<RedisDurability>(durability, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(durability, out _)
                ? mode
                : throw new InvalidOperationException($"TaskQueue:RedisDurability must be Warn, Require or Off, was '{durability}'.");
        }
        return settings;
    }

    private sealed partial class StartupBanner(TaskQueueSiloOptions settings, ILogger<StartupBanner> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (settings.IsEmbedded) LogEmbedded(settings.GatewayPort);
            else LogRedis(settings.Options.ClusterId, settings.SiloPort, settings.GatewayPort);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "No Redis configured (TaskQueue:Redis): running one embedded silo on localhost (gateway {GatewayPort}) with in-memory storage and reminders. Nothing survives a restart.")]
        private partial void LogEmbedded(int gatewayPort);

        [LoggerMessage(Level = LogLevel.Information, Message = "Task queue silo in cluster {ClusterId} on Redis (silo port {SiloPort}, gateway {GatewayPort})")]
        private partial void LogRedis(string clusterId, int siloPort, int gatewayPort);
    }
}
