using System.Globalization;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DistributedTaskQueue.Tests.Integration.Cluster;

/// <summary>
/// Orleans TLS between clients and silos (<c>TaskQueue:TlsCertificate</c>): a silo process configured by environment
/// variables, mutual TLS on a CA the test made. A client with a certificate that CA signed runs a task; a client without
/// TLS, and one whose certificate another CA signed, are refused.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class OrleansTlsTests(RedisFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Queue = "tls";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AClientWithACertificateTheClustersCaSigned_RunsATask_AndClientsWithoutOneAreRefused()
    {
        using var certificates = TestCertificates.Create();
        using var stranger = TestCertificates.Create();
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await StartSiloAsync(clusterId, certificates);
        await using var second = await StartSiloAsync(clusterId, certificates);

        await using (var client = await ConnectAsync(clusterId, certificates.ClientCertificate, certificates.ClientKey, certificates.CaCertificate))
        {
            var id = await client.SubmitAsync(BuiltInTasks.Echo, JsonSerializer.Serialize("mutual"), Queue);
            var info = await client.WaitAsync(id, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.Succeeded, info.State);
            Assert.Equal("\"mutual\"", info.ResultJson);
            // Both silos' workers lease from the one partition, so silo-to-silo calls cross TLS too: 32 tasks of 300 ms
            // on 8 slots a silo need both.
            var sleeps = await client.SubmitBatchAsync(BuiltInTasks.Sleep, Enumerable.Repeat("{\"milliseconds\":300}", 32), Queue);
            var workers = new HashSet<string?>();
            foreach (var sleep in sleeps)
            {
                var done = await client.WaitAsync(sleep, TimeSpan.FromSeconds(30));
                Assert.Equal(TaskState.Succeeded, done.State);
                workers.Add(done.Worker);
            }
            Assert.Equal(2, workers.Count);
        }

        // The client picks either silo's gateway (at random, then retrying): a rejection may be logged by either.
        SiloProcess[] silos = [silo, second];
        await AssertRefusedAsync(silos, async timeout =>
        {
            using var host = ClientHostWithoutACertificate(clusterId);
            await host.StartAsync(timeout);
            var client = new TaskClient(host.Services.GetRequiredService<IClusterClient>(), Options.Create(new TaskQueueOptions { ClusterId = clusterId, ServiceId = clusterId }));
            await client.GetQueueStatsAsync(Queue).WaitAsync(timeout);
        });
        await AssertRefusedAsync(silos, async timeout =>
        {
            await using var client = await ConnectAsync(clusterId, stranger.ClientCertificate, stranger.ClientKey, stranger.CaCertificate, timeout);
            await client.GetQueueStatsAsync(Queue).WaitAsync(timeout);
        });
    }

    /// <summary>
    /// Refused: an Orleans client whose gateway connections fail keeps retrying its start until cancelled, so the proof is
    /// that it is not connected after <see cref="ConnectTimeout"/> (a client the silo accepts connects in about a second).
    /// </summary>
    private async Task AssertRefusedAsync(SiloProcess[] silos, Func<CancellationToken, Task> connectAndCall)
    {
        var rejectedBefore = silos.Sum(Rejections);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var refused = await Record.ExceptionAsync(() => connectAndCall(timeout.Token));
        output.WriteLine($"not connected after {clock.Elapsed.TotalSeconds:0.0} s: {refused?.GetType().Name}: {refused?.Message}");
        Assert.NotNull(refused);
        // The silo says why: the client's certificate (none, or another CA's) failed its check.
        if (silos.Sum(Rejections) <= rejectedBefore)
            foreach (var line in silos.SelectMany(s => s.Output.Split('\n')).Where(l => l.Contains("certificate", StringComparison.OrdinalIgnoreCase) || l.Contains("TLS", StringComparison.Ordinal) || l.Contains("uthentication", StringComparison.Ordinal)))
                output.WriteLine("silo: " + line);
        Assert.True(silos.Sum(Rejections) > rejectedBefore, "no silo logged a rejected certificate");
    }

    private static int Rejections(SiloProcess silo) =>
        silo.Output.Split('\n').Count(l => l.Contains("The remote certificate was rejected", StringComparison.Ordinal));

    private Task<SiloProcess> StartSiloAsync(string clusterId, TestCertificates certificates)
    {
        var http = RedisServer.FreePort();
        return SiloProcess.StartWithEnvironmentAsync(new Dictionary<string, string>
        {
            ["TaskQueue__Redis"] = fixture.Redis.ConnectionString,
            ["TaskQueue__ClusterId"] = clusterId,
            ["TaskQueue__ServiceId"] = clusterId,
            ["TaskQueue__SiloPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["TaskQueue__GatewayPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["TaskQueue__AdvertisedAddress"] = "127.0.0.1",
            ["TaskQueue__TlsCertificate"] = certificates.NodeCertificate,
            ["TaskQueue__TlsKey"] = certificates.NodeKey,
            ["TaskQueue__TlsCaCertificate"] = certificates.CaCertificate,
            ["TaskQueue__Worker__Queues__0"] = Queue,
            ["ASPNETCORE_HTTP_PORTS"] = http.ToString(CultureInfo.InvariantCulture),
        }, http);
    }

    /// <summary>An Orleans client with TLS on that presents no certificate (and would accept any silo's).</summary>
    private IHost ClientHostWithoutACertificate(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            client.UseRedisClustering(fixture.Redis.ConnectionString);
            client.UseTls(tls => tls.AllowAnyRemoteCertificate());
        });
        return builder.Build();
    }

    private Task<TaskClient> ConnectAsync(string clusterId, string? certificate, string? key, string? ca, CancellationToken cancellationToken = default) =>
        TaskClient.ConnectAsync(fixture.Redis.ConnectionString, o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = clusterId;
            o.TlsCertificate = certificate;
            o.TlsKey = key;
            o.TlsCaCertificate = ca;
        }, cancellationToken);
}
