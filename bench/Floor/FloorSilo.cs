using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DistributedTaskQueue.Floor;

/// <summary>
/// A bare silo: Redis clustering, one grain, optionally the web host with one endpoint. Prints <c>silo-active UNIX_MS</c> at the
/// silo's Active stage and <c>host-started UNIX_MS</c> when the host has started, so a script can time a launch.
/// </summary>
internal static class FloorSilo
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var redisConfiguration = ConfigurationOptions.Parse(args.Get("--redis"));
        redisConfiguration.SocketManager = SocketManager.ThreadPool; // as the stock silo's
        var web = args.Find("--web");
        IHostApplicationBuilder builder = web is null
            ? Host.CreateApplicationBuilder()
            : WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var redis = await ConnectionMultiplexer.ConnectAsync(redisConfiguration).ConfigureAwait(false);
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ActiveStamp>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = args.Get("--cluster");
                o.ServiceId = args.Get("--cluster");
            });
            silo.UseRedisClustering(o =>
            {
                o.ConfigurationOptions = redisConfiguration;
                o.CreateMultiplexer = _ => Task.FromResult<(IConnectionMultiplexer, bool)>((redis, true)); // one connection, as ours
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, args.Int("--silo-port", 11111), args.Int("--gateway-port", 30000), listenOnAnyHostAddress: true);
        });
        IHost host;
        if (builder is WebApplicationBuilder webBuilder)
        {
            webBuilder.WebHost.UseUrls($"http://127.0.0.1:{web}");
            var app = webBuilder.Build();
            app.MapGet("/healthz", () => "ok");
            host = app;
        }
        else
        {
            host = ((HostApplicationBuilder)builder).Build();
        }
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
            Console.Out.WriteLine($"host-started {TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()}"));
        await host.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
