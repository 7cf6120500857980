using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace DistributedTaskQueue.Floor;

/// <summary>
/// N producers, each awaiting one call at a time to the floor silo's grain (key 0, as one partition), until M calls are
/// done. Prints one JSON object: calls/s, p50 / p99, and this process's CPU per call.
/// </summary>
internal static class FloorClient
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = args.Get("--cluster");
                o.ServiceId = args.Get("--cluster");
            });
            client.UseRedisClustering(args.Get("--redis"));
        });
        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<IFloorGrain>(0);
        var payload = new byte[600]; // about one task record
        var call = args.Find("--call") ?? "ping";
        Func<Task> once = call switch
        {
            "ping" => () => grain.PingAsync(1),
            "write" => () => grain.WriteAsync(payload),
            "group" => () => grain.GroupWriteAsync(payload, tail: false),
            "group-tail" => () => grain.GroupWriteAsync(payload, tail: true),
            _ => throw new ArgumentException($"--call is ping, write, group or group-tail, not '{call}'."),
        };
        var producers = args.Int("--producers", 1);
        var calls = args.Int("--calls", 20_000);
        var latencies = new double[calls];
        long next = -1;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        async Task ProducerAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= calls) return;
                var start = Stopwatch.GetTimestamp();
                await once().ConfigureAwait(false);
                latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(ProducerAsync))).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Array.Sort(latencies);
        var output = new JsonObject
        {
            ["call"] = call,
            ["producers"] = producers,
            ["calls"] = calls,
            ["calls_per_sec"] = Math.Round(calls / seconds),
            ["p50_ms"] = Math.Round(latencies[calls / 2], 3),
            ["p99_ms"] = Math.Round(latencies[(int)(calls * 0.99)], 3),
            ["client_cpu_us_per_call"] = Math.Round(cpu.TotalMicroseconds / calls, 1),
        };
        Console.Out.WriteLine(output.ToJsonString());
        await host.StopAsync().ConfigureAwait(false);
        return 0;
    }
}
