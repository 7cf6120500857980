using DistributedTaskQueue.Queue;
using DistributedTaskQueue.Schedules;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// How a silo host built with <c>UseTaskQueueSilo</c> hands its settings to the options system: the configuration keys
/// still bind, code wins over configuration, each type has its validators once, and a bad value stops the start
/// naming its key. Embedded silos on free ports; none of them is started past validation.
/// </summary>
public sealed class SiloOptionsTests
{
    private static HostApplicationBuilder Builder(params (string Key, string Value)[] configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        foreach (var (key, value) in configuration) builder.Configuration[key] = value;
        return builder;
    }

    private static void FreePorts(TaskQueueSiloOptions silo)
    {
        silo.SiloPort = RedisServer.FreePort();
        silo.GatewayPort = RedisServer.FreePort();
    }

    private static string Messages(Exception exception) => exception switch
    {
        AggregateException all => string.Join(" | ", all.InnerExceptions.Select(Messages)),
        _ => exception.Message,
    };

    [Fact]
    public async Task ABadOptionSetInCode_FailsTheHostAtStart_NamingItsKey()
    {
        var builder = Builder();
        builder.UseTaskQueueSilo(silo =>
        {
            FreePorts(silo);
            silo.Partitions.LeaseDuration = TimeSpan.FromMilliseconds(500);
        });
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(typeof(PartitionOptions), refused.OptionsType);
        Assert.Contains("TaskQueue:LeaseDuration must be 1 s..1 day.", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TaskQueue:MaxResidentTasks", "10", "TaskQueue:MaxResidentTasks must be at least 256.")]
    [InlineData("TaskQueue:PartitionsPerQueue", "0", "TaskQueue:PartitionsPerQueue must be 1..256.")]
    [InlineData("TaskQueue:Worker:MaxConcurrentTasks", "0", "TaskQueue:Worker:MaxConcurrentTasks must be 1..100000.")]
    [InlineData("TaskQueue:Schedules:ReminderPeriod", "00:20:00", "TaskQueue:Schedules:ReminderPeriod must be 1 s to 10 min.")]
    [InlineData("TaskQueue:Worker:HeartbeatInterval", "00:00:20", "TaskQueue:LeaseDuration must be at least twice TaskQueue:Worker:HeartbeatInterval")]
    [InlineData("TaskQueue:Access:Keys:0:Key", "short", "TaskQueue:Access:Keys:0:Key must be 16..1024 characters, was 5.")]
    [InlineData("TaskQueue:Health:WorkerStallMargin", "00:00:00.5", "TaskQueue:Health:WorkerStallMargin must be 1 s..1 hour")]
    public async Task ABadConfigurationValue_FailsTheHostAtStart_NamingItsKey(string key, string value, string expected)
    {
        var builder = Builder((key, value));
        builder.UseTaskQueueSilo(FreePorts);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(expected, Messages(refused), StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationKeys_BindIntoEachOptionsType_AndCodeWinsOverConfiguration()
    {
        var builder = Builder(
            ("TaskQueue:LeaseDuration", "00:01:00"),
            ("TaskQueue:ResultTtl", "2.00:00:00"),
            ("TaskQueue:RefuseUnknownTaskNames", "false"),
            ("TaskQueue:MaxResidentTasks", "1000"),
            ("TaskQueue:PartitionsPerQueue", "4"),
            ("TaskQueue:DefaultQueue", "mail"),
            ("TaskQueue:Worker:Queues:0", "mail"),
            ("TaskQueue:Worker:HeartbeatInterval", "00:00:05"),
            ("TaskQueue:Schedules:ReminderPeriod", "00:00:30"));
        builder.UseTaskQueueSilo(silo =>
        {
            FreePorts(silo);
            silo.Partitions.MaxResidentTasks = 2000;
        });
        using var host = builder.Build();

        var partitions = host.Services.GetRequiredService<IOptions<PartitionOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(1), partitions.LeaseDuration);
        Assert.Equal(TimeSpan.FromDays(2), partitions.ResultTtl);
        Assert.False(partitions.RefuseUnknownTaskNames);
        Assert.Equal(2000, partitions.MaxResidentTasks);
        // Embedded: nothing survives a restart, so there is nothing to hold dispatch back for.
        Assert.Equal(TimeSpan.Zero, partitions.FailoverHoldBack);
        var shared = host.Services.GetRequiredService<IOptions<TaskQueueOptions>>().Value;
        Assert.Equal(4, shared.PartitionsPerQueue);
        Assert.Equal("mail", shared.DefaultQueue);
        var worker = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        Assert.Equal(["mail"], worker.Queues);
        Assert.Equal(TimeSpan.FromSeconds(5), worker.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), host.Services.GetRequiredService<IOptions<ScheduleOptions>>().Value.ReminderPeriod);
        Assert.Equal(TimeSpan.FromSeconds(30), host.Services.GetRequiredService<IOptions<ReminderOptions>>().Value.MinimumReminderPeriod);
    }

    [Fact]
    public void TheDashboardHealthAndAccessKeys_Bind()
    {
        var builder = Builder(
            ("TaskQueue:Dashboard:Enabled", "false"),
            ("TaskQueue:Health:WorkerStallMargin", "00:00:45"),
            ("TaskQueue:Access:Keys:0:Key", "admin-0123456789abcdef"),
            ("TaskQueue:Access:Keys:0:Role", "Admin"),
            ("TaskQueue:Access:Keys:1:Key", "read-0123456789abcdef"),
            ("TaskQueue:Access:Keys:1:Role", "readonly"),
            ("TaskQueue:Access:Keys:1:Name", "grafana"),
            ("TaskQueue:Access:ReadOnlySeesPayloads", "true"));
        TaskQueueSiloOptions? settings = null;
        builder.UseTaskQueueSilo(silo =>
        {
            FreePorts(silo);
            settings = silo;
        });
        using var host = builder.Build();

        Assert.False(settings!.Dashboard.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(45), host.Services.GetRequiredService<IOptions<HealthOptions>>().Value.WorkerStallMargin);
        var access = host.Services.GetRequiredService<IOptions<AccessOptions>>().Value;
        Assert.True(access.ReadOnlySeesPayloads);
        Assert.Equal([(AccessRole?)AccessRole.Admin, AccessRole.ReadOnly], access.Keys.Select(k => k.Role));
        Assert.Equal("grafana", access.Keys[1].Name);
    }

    [Fact]
    public void EachOptionsType_HasItsValidatorsOnce_WithTheClientInTheSilosHost()
    {
        var builder = Builder();
        builder.UseTaskQueueSilo(FreePorts);
        builder.Services.AddTaskQueueClient();
        builder.Services.AddTaskQueueClient();
        using var host = builder.Build();

        Type[] Validators<T>() where T : class => [.. host.Services.GetServices<IValidateOptions<T>>().Select(v => v.GetType()).Order(TypeNames.Instance)];
        Assert.Equal([typeof(TaskQueueOptionsValidator)], Validators<TaskQueueOptions>());
        Assert.Equal([typeof(LeaseRenewalValidator), typeof(PartitionOptionsValidator), typeof(SubmitDedupeValidator)], Validators<PartitionOptions>());
        Assert.Equal([typeof(WorkerOptionsValidator)], Validators<WorkerOptions>());
        Assert.Equal([typeof(ScheduleOptionsValidator)], Validators<ScheduleOptions>());
        Assert.Equal([typeof(HealthOptionsValidator)], Validators<HealthOptions>());
        Assert.Equal([typeof(AccessOptionsValidator)], Validators<AccessOptions>());
    }

    [Fact]
    public void AnUndefinedRedisDurabilitySetInCode_IsRefusedWhileTheHostIsBuilt_NamingItsKey()
    {
        var builder = Builder();

        var refused = Assert.Throws<OptionsValidationException>(() => builder.UseTaskQueueSilo(silo => silo.RedisDurability = (RedisDurability)7));

        Assert.Equal("TaskQueue:RedisDurability must be Warn, Require or Off, was 7.", refused.Message);
    }

    private sealed class TypeNames : IComparer<Type>
    {
        public static readonly TypeNames Instance = new();

        public int Compare(Type? x, Type? y) => string.CompareOrdinal(x?.Name, y?.Name);
    }
}
