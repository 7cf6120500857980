using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace DistributedTaskQueue;

/// <summary>Adds what the task-queue grains need to a silo: their storage, reminders, options and task execution.</summary>
public static class TaskQueueGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers the partition storage and the schedule storage (in Redis when <see cref="TaskQueueOptions.RedisConnectionString"/>
    /// is set, else in memory), reminders (the same), the options the grains read (<see cref="TaskQueueOptions"/>,
    /// <see cref="PartitionOptions"/>, <see cref="ScheduleOptions"/>, from the given values, validated when the silo
    /// starts) and the executor that runs handlers. Clustering, the worker loop and the web endpoints are the host's.
    /// </summary>
    public static ISiloBuilder AddTaskQueueGrains(this ISiloBuilder silo, TaskQueueOptions options, PartitionOptions? partitions = null, ScheduleOptions? schedules = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var services = silo.Services;
        services.AddTaskQueueOptions().ConfigureFrom(options);
        services.AddOptions<PartitionOptions>().ConfigureFrom(partitions ?? new PartitionOptions()).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PartitionOptions>, PartitionOptionsValidator>());
        services.AddOptions<ScheduleOptions>().ConfigureFrom(schedules ?? new ScheduleOptions()).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>());
        // Orleans refuses reminder periods under its minimum (1 minute); tests lower the schedules' period below it.
        services.AddOptions<ReminderOptions>().Configure<IOptions<ScheduleOptions>>((reminders, schedule) =>
        {
            if (schedule.Value.ReminderPeriod < reminders.MinimumReminderPeriod) reminders.MinimumReminderPeriod = schedule.Value.ReminderPeriod;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddTaskQueueExecution();
        services.TryAddSingleton<LocalPartitions>();
        services.AddPlacementDirector<QueueSpreadPlacement, QueueSpreadPlacementDirector>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LocalPartitions>());
        if (string.IsNullOrWhiteSpace(options.RedisConnectionString)) AddMemoryStorage(silo);
        else AddRedisStorage(silo, TaskQueueRedis.Configuration(options));
        return silo;
    }

    private static void AddMemoryStorage(ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(TaskQueueGrain.StorageName, o => o.GrainStorageSerializer = new StoredBlobSerializer());
        silo.AddMemoryGrainStorage(ScheduleGrain.StorageName, o => o.Configure<Serializer>(UseOrleansSerializer));
        silo.UseInMemoryReminderService();
        // Nothing survives a restart in memory, so no activation ever follows an unclean one: no hold-back.
        silo.Services.PostConfigure<PartitionOptions>(o => o.FailoverHoldBack = TimeSpan.Zero);
    }

    private static void AddRedisStorage(ISiloBuilder silo, ConfigurationOptions redis)
    {
        // Partitions read through Orleans' Redis grain storage and write each flush as one script call
        // (PartitionFlushScript): both on the silo's one connection, both through one key function. Schedules and
        // reminders share that connection too (membership as well, where the silo's host configures it).
        var services = silo.Services;
        services.TryAddSingleton(_ => new SiloRedis(redis)); // made by a factory, so the container disposes it
        services.TryAddSingleton(sp => new PartitionStorageKeys(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        services.TryAddSingleton<IPartitionFlush, PartitionFlushScript>();
        silo.AddRedisGrainStorage(TaskQueueGrain.StorageName, o => o.Configure<SiloRedis, PartitionStorageKeys>((options, connection, keys) =>
        {
            options.ConfigurationOptions = redis;
            options.CreateMultiplexer = connection.SharedAsync;
            options.GetStorageKey = keys.For;
            // Partitions store bytes they serialized themselves (binary, version-tolerant, [Alias]-named records):
            // the storage passes them through rather than wrap and copy them again.
            options.GrainStorageSerializer = new StoredBlobSerializer();
            options.DeleteStateOnClear = true;
        }));
        silo.AddRedisGrainStorage(ScheduleGrain.StorageName, o => o.Configure<Serializer, SiloRedis>((options, serializer, connection) =>
        {
            options.ConfigurationOptions = redis;
            options.CreateMultiplexer = connection.SharedAsync;
            UseOrleansSerializer(options, serializer);
            options.DeleteStateOnClear = true; // a removed schedule leaves no key behind
        }));
        silo.UseRedisReminderService(o => o.ConfigurationOptions = redis);
        services.AddOptions<RedisReminderTableOptions>().Configure<SiloRedis>((options, connection) => options.CreateMultiplexer = connection.SharedAsync);
    }

    /// <summary>
    /// Schedules are stored with the Orleans binary serializer, as partition segments are: version tolerant through
    /// [Id] fields, and it writes [Alias] names, never .NET type names. (The default storage serializer is Newtonsoft
    /// with type names; the partitions' pass-through serializer accepts only their own blobs.)
    /// </summary>
    private static void UseOrleansSerializer(IStorageProviderSerializerOptions options, Serializer serializer) =>
        options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
}
