using System.Net;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>The health endpoints through a real host: live while it serves, ready while its worker's lease loop comes back.</summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class ReadinessTests
{
    [Fact]
    public async Task ReadyAfterStart_UnreadyWhileTheWorkersLeaseCallsHang_ReadyAgainAfter_LiveThroughout()
    {
        var gate = new LeaseCallGate();
        await using var silo = await WebSilo.StartAsync(["ready-q"], s =>
        {
            // Unready after 1 + 2 s without a lease call coming back.
            s.Worker.PollingInterval = TimeSpan.FromSeconds(1);
            s.Health.WorkerStallMargin = TimeSpan.FromSeconds(2);
        }, services => services.AddSingleton<IIncomingGrainCallFilter>(gate));

        var ready = await WaitForAsync(silo, HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("worker").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());

        gate.Close();
        try
        {
            var stuck = await WaitForAsync(silo, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("ready-q:0", stuck.GetProperty("checks").GetProperty("worker").GetProperty("description").GetString(), StringComparison.Ordinal);
            using var live = await silo.SendAsync(HttpMethod.Get, "/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            // A held lease call would also hold the host's shutdown.
            gate.Open();
        }
        await WaitForAsync(silo, HttpStatusCode.OK);
    }

    private static async Task<JsonElement> WaitForAsync(WebSilo silo, HttpStatusCode status)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await silo.SendAsync(HttpMethod.Get, "/health/ready");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (response.StatusCode == status) return body;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"/health/ready stayed {(int)response.StatusCode}: {body}");
            await Task.Delay(200);
        }
    }
}
