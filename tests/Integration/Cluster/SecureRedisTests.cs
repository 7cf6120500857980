using System.Globalization;
using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Cluster;

/// <summary>
/// Redis with TLS (a private CA, client certificates required) and an ACL user limited to the service's keys, the
/// default user off: a silo process configured only by environment variables, as in a deployment, and a client run
/// tasks through it; a wrong password and an untrusted certificate stop the silo at start-up with their cause.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class SecureRedisTests
{
    private const string Queue = "secure";

    [Fact]
    public async Task ASiloAndAClient_OverTlsWithAnAclUser_RunTasks_AndKeepThemAcrossASiloRestart()
    {
        using var certificates = TestCertificates.Create();
        var serviceId = "sr-" + Guid.NewGuid().ToString("N")[..8];
        await using var redis = await SecureRedisServer.StartAsync(certificates, serviceId);
        var environment = Environment(redis, certificates, serviceId, redis.ConnectionString());

        TaskId[] ids;
        await using (var silo = await StartAsync(environment))
        {
            await using var client = await ConnectAsync(redis, certificates, serviceId);
            var first = await client.SubmitAsync(BuiltInTasks.Echo, JsonSerializer.Serialize("over tls"), Queue);
            var info = await client.WaitAsync(first, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.Succeeded, info.State);
            Assert.Equal("\"over tls\"", info.ResultJson);
            // Submitted while the queue is paused, so they are still Pending in Redis when the silo goes.
            await client.PauseQueueAsync(Queue);
            ids = [.. await client.SubmitBatchAsync(BuiltInTasks.Echo, Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)), Queue)];
        }

        await using (var silo = await StartAsync(environment))
        {
            await using var client = await ConnectAsync(redis, certificates, serviceId);
            await client.ResumeQueueAsync(Queue);
            foreach (var id in ids) Assert.Equal(TaskState.Succeeded, (await client.WaitAsync(id, TimeSpan.FromSeconds(30))).State);
        }
    }

    [Fact]
    public async Task AWrongPassword_StopsTheSiloAtStartUp_SayingRedisRefusedTheCredentials()
    {
        using var certificates = TestCertificates.Create();
        var serviceId = "sr-" + Guid.NewGuid().ToString("N")[..8];
        await using var redis = await SecureRedisServer.StartAsync(certificates, serviceId);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(Environment(redis, certificates, serviceId, redis.ConnectionString("wrong"))));

        Assert.True(refused.Message.Contains("refused this silo's connection: Redis refused the credentials", StringComparison.Ordinal), refused.Message);
        Assert.DoesNotContain("password=wrong", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACertificateSignedByACaTheSiloDoesNotTrust_StopsItAtStartUp_NamingTheCaSetting()
    {
        using var certificates = TestCertificates.Create();
        var serviceId = "sr-" + Guid.NewGuid().ToString("N")[..8];
        await using var redis = await SecureRedisServer.StartAsync(certificates, serviceId);
        var environment = Environment(redis, certificates, serviceId, redis.ConnectionString());
        environment.Remove("TaskQueue__RedisCaCertificate");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(environment));

        Assert.True(refused.Message.Contains("the TLS handshake failed", StringComparison.Ordinal), refused.Message);
        Assert.Contains("TaskQueue:RedisCaCertificate", refused.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(SecureRedisServer redis, TestCertificates certificates, string serviceId, string connectionString)
    {
        var http = RedisServer.FreePort();
        return new Dictionary<string, string>
        {
            ["TaskQueue__Redis"] = connectionString,
            ["TaskQueue__RedisCaCertificate"] = certificates.CaCertificate,
            ["TaskQueue__RedisClientCertificate"] = certificates.ClientCertificate,
            ["TaskQueue__RedisClientKey"] = certificates.ClientKey,
            ["TaskQueue__ClusterId"] = serviceId,
            ["TaskQueue__ServiceId"] = serviceId,
            ["TaskQueue__SiloPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["TaskQueue__GatewayPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["TaskQueue__AdvertisedAddress"] = "127.0.0.1",
            ["TaskQueue__Worker__Queues__0"] = Queue,
            ["ASPNETCORE_HTTP_PORTS"] = http.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static Task<SiloProcess> StartAsync(Dictionary<string, string> environment) =>
        SiloProcess.StartWithEnvironmentAsync(environment, int.Parse(environment["ASPNETCORE_HTTP_PORTS"], CultureInfo.InvariantCulture));

    private static Task<TaskClient> ConnectAsync(SecureRedisServer redis, TestCertificates certificates, string serviceId) =>
        TaskClient.ConnectAsync(redis.ConnectionString(), o =>
        {
            o.ClusterId = serviceId;
            o.ServiceId = serviceId;
            o.RedisCaCertificate = certificates.CaCertificate;
            o.RedisClientCertificate = certificates.ClientCertificate;
            o.RedisClientKey = certificates.ClientKey;
        });
}
