using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Client;

/// <summary>A client's settings are checked before it connects: at host start with DI, at once without.</summary>
public sealed class ClientOptionsTests
{
    [Fact]
    public async Task AddTaskQueueClient_ABadConfigurationValue_FailsTheHostAtStart_NamingItsKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["TaskQueue:MaxPayloadBytes"] = "0";
        builder.Configuration["TaskQueue:GatewayPort"] = RedisServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Services.AddTaskQueueClient();
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("TaskQueue:MaxPayloadBytes must be 1..67108864.", refused.Message);
    }

    [Fact]
    public async Task ConnectLocalAsync_RefusesABadSetting_BeforeConnecting_NamingItsKey()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TaskClient.ConnectLocalAsync(RedisServer.FreePort(), o => o.PartitionsPerQueue = 0));

        Assert.Equal("TaskQueue:PartitionsPerQueue must be 1..256.", refused.Message);
    }
}
