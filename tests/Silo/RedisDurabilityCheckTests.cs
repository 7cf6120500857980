using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The start-up check of Redis's persistence and eviction settings, on real redis-servers started with those
/// settings and silos built the way apps build them (<c>UseTaskQueueSilo</c>, Redis clustering).
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class RedisDurabilityCheckTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string CheckCategory = "DistributedTaskQueue.RedisDurabilityCheck";

    [Fact]
    public async Task Warn_LogsAppendOnlyOffAndAnEvictingPolicy_NamingWhatCanBeLost_AndStarts()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: false, maxMemory: "64mb", maxMemoryPolicy: "allkeys-lru");
        var logs = new LogCapture();
        using var host = BuildSilo(redis, RedisDurability.Warn, logs);

        await host.StartAsync();

        var warnings = Warnings(logs);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("has appendonly no", StringComparison.Ordinal) && w.Contains("since the last RDB snapshot", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("has maxmemory-policy allkeys-lru", StringComparison.Ordinal) && w.Contains("evicted task record is a lost task", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task Warn_LogsAppendFsyncEverysec_AsUpToASecondOnACrash()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "everysec");
        var logs = new LogCapture();
        using var host = BuildSilo(redis, RedisDurability.Warn, logs);

        await host.StartAsync();

        var warning = Assert.Single(Warnings(logs));
        Assert.Contains("has appendfsync everysec", warning, StringComparison.Ordinal);
        Assert.Contains("up to about 1 s of acknowledged tasks", warning, StringComparison.Ordinal);
        Assert.Contains("clean shutdown or restart loses nothing", warning, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Require_RefusesToStart_NamingTheSettings_BeforeWritingAnythingToRedis()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "everysec", maxMemory: "64mb", maxMemoryPolicy: "volatile-lru");
        var logs = new LogCapture();
        using var host = BuildSilo(redis, RedisDurability.Require, logs);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        var message = Messages(refused);
        output.WriteLine(message);
        Assert.Contains("TaskQueue:RedisDurability", message, StringComparison.Ordinal);
        Assert.Contains("appendfsync everysec", message, StringComparison.Ordinal);
        Assert.Contains("maxmemory-policy volatile-lru", message, StringComparison.Ordinal);
        // The check runs first in the silo lifecycle: no membership row, no partition, nothing at all in Redis.
        Assert.Equal(0, await redis.Server.DatabaseSizeAsync());
    }

    [Fact]
    public async Task Require_WithAofAlwaysAndNoEviction_Starts_AndRunsATask()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "always", maxMemory: "256mb", maxMemoryPolicy: "noeviction");
        var logs = new LogCapture();
        using var host = BuildSilo(redis, RedisDurability.Require, logs);

        await host.StartAsync();

        Assert.Empty(Warnings(logs));
        Assert.Contains(logs.Entries, e => e.Category == CheckCategory && e.Message.Contains("keeps every acknowledged task", StringComparison.Ordinal));
        var client = host.Services.GetRequiredService<TaskClient>();
        var id = await client.SubmitAsync(BuiltInTasks.Echo, "\"durable\"", "dur");
        Assert.Equal("durable", await client.WaitForResultAsync<string>(id, TimeSpan.FromSeconds(30)));
        await host.StopAsync();
    }

    [Fact]
    public async Task ARedisThatRefusesConfig_IsReportedAsUnchecked_UnderWarn_AndRefusedUnderRequire()
    {
        // As managed Redis services do: CONFIG is renamed away.
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "always", extraArguments: ["--rename-command", "CONFIG", ""]);

        var logs = new LogCapture();
        using (var refusing = BuildSilo(redis, RedisDurability.Require, logs))
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => refusing.StartAsync());
            Assert.Contains("could not be read", Messages(refused), StringComparison.Ordinal);
            Assert.Contains("TaskQueue:RedisDurability", Messages(refused), StringComparison.Ordinal);
        }

        using var host = BuildSilo(redis, RedisDurability.Warn, logs = new LogCapture());
        await host.StartAsync();
        var warning = Assert.Single(Warnings(logs));
        Assert.Contains("Redis durability could not be checked", warning, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Off_ChecksNothing()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: false);
        var logs = new LogCapture();
        using var host = BuildSilo(redis, RedisDurability.Off, logs);

        await host.StartAsync();

        Assert.DoesNotContain(logs.Entries, e => e.Category == CheckCategory);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("yes", "always", "0", "allkeys-lru", "")]
    [InlineData("yes", "always", "1000000", "noeviction", "")]
    [InlineData("yes", "no", "0", "noeviction", "appendfsync")]
    [InlineData("yes", "always", "1000000", "volatile-ttl", "maxmemory-policy")]
    [InlineData("no", "always", "0", "noeviction", "appendonly")]
    public void Assess_NamesEachSettingThatCanLoseAcknowledgedTasks(string appendOnly, string fsync, string maxMemory, string policy, string expected)
    {
        var risks = RedisDurabilityCheck.Assess(new Dictionary<string, string>
        {
            ["appendonly"] = appendOnly,
            ["appendfsync"] = fsync,
            ["maxmemory"] = maxMemory,
            ["maxmemory-policy"] = policy,
        });

        Assert.Equal(expected, string.Join(",", risks.Select(r => r.Setting)));
    }

    [Fact]
    public void ABadRedisDurabilityValue_StopsTheSiloAtConfiguration_NamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["TaskQueue:RedisDurability"] = "Sometimes";

        var refused = Assert.Throws<InvalidOperationException>(() => builder.UseTaskQueueSilo());

        Assert.Contains("TaskQueue:RedisDurability must be Warn, Require or Off", refused.Message, StringComparison.Ordinal);
    }

    private static List<string> Warnings(LogCapture logs) =>
        logs.AtLeast(LogLevel.Warning).Where(e => e.Category == CheckCategory).Select(e => e.Message).ToList();

    private static string Messages(Exception exception)
    {
        var all = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException) all.Add(e.Message);
        return string.Join(" | ", all);
    }

    private static IHost BuildSilo(RedisServer redis, RedisDurability mode, LogCapture logs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(logs);
        var cluster = "dur-" + Guid.NewGuid().ToString("N")[..8];
        builder.UseTaskQueueSilo(silo =>
        {
            silo.Options.RedisConnectionString = redis.ConnectionString;
            silo.Options.ClusterId = cluster;
            silo.Options.ServiceId = cluster;
            silo.SiloPort = RedisServer.FreePort();
            silo.GatewayPort = RedisServer.FreePort();
            silo.AdvertisedAddress = "127.0.0.1";
            silo.Worker.Queues = ["dur"];
            silo.Worker.ShutdownGracePeriod = TimeSpan.FromSeconds(1);
            silo.RedisDurability = mode;
        });
        builder.Services.AddTaskHandler<BuiltInTaskHandler>();
        return builder.Build();
    }
}
