using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The start-up connection (<see cref="RedisDurabilityCheck"/>) and the readiness check against a real redis-server with
/// TLS, client certificates and an ACL user: a refusal stops the start naming its cause whatever TaskQueue:RedisDurability
/// says, and no password reaches a message, a log or the health output.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class SecureRedisStartupTests
{
    private static TaskQueueSiloOptions Settings(SecureRedisServer redis, TestCertificates certificates, RedisDurability durability, string connectionString, bool clientCertificate = true) => new()
    {
        RedisDurability = durability,
        Options = new TaskQueueOptions
        {
            RedisConnectionString = connectionString,
            RedisCaCertificate = certificates.CaCertificate,
            RedisClientCertificate = clientCertificate ? certificates.ClientCertificate : null,
            RedisClientKey = clientCertificate ? certificates.ClientKey : null,
        },
    };

    private static (RedisDurabilityCheck Check, LogCapture Logs) Check(TaskQueueSiloOptions settings)
    {
        var logs = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        return (new RedisDurabilityCheck(settings, factory.CreateLogger<RedisDurabilityCheck>()), logs);
    }

    [Theory]
    [InlineData(RedisDurability.Off)]
    [InlineData(RedisDurability.Warn)]
    public async Task AWrongPassword_StopsTheStart_WhateverTheDurabilitySetting(RedisDurability durability)
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var (check, _) = Check(Settings(redis, certificates, durability, redis.ConnectionString("wrong-pass")));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => check.CheckAsync(CancellationToken.None));

        Assert.Contains("Redis refused the credentials", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pass", refused.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RedisDurability.Off)]
    [InlineData(RedisDurability.Warn)]
    public async Task AWrongPassword_WithAbortConnectFalseInTheConnectionString_StillStopsTheStart(RedisDurability durability)
    {
        // abortConnect=false is in most managed-Redis connection strings (Azure's portal hands it out).
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var (check, _) = Check(Settings(redis, certificates, durability, redis.ConnectionString("wrong-pass") + ",abortConnect=false"));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => check.CheckAsync(CancellationToken.None));

        Assert.Contains("Redis refused the credentials", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pass", refused.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RedisDurability.Off)]
    [InlineData(RedisDurability.Warn)]
    public async Task NoClientCertificate_StopsTheStart_NamingTheClientCertificateSettings(RedisDurability durability)
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var (check, _) = Check(Settings(redis, certificates, durability, redis.ConnectionString(), clientCertificate: false));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => check.CheckAsync(CancellationToken.None));

        Assert.True(refused.Message.Contains("TaskQueue:RedisClientCertificate", StringComparison.Ordinal), refused.Message);
    }

    [Theory]
    [InlineData(RedisDurability.Off)]
    [InlineData(RedisDurability.Warn)]
    public async Task AnUntrustedServerCertificate_StopsTheStart_NamingTheCaSetting(RedisDurability durability)
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = Settings(redis, certificates, durability, redis.ConnectionString());
        settings.Options.RedisCaCertificate = null;
        var (check, _) = Check(settings);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => check.CheckAsync(CancellationToken.None));

        Assert.Contains("TaskQueue:RedisCaCertificate", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACaFileWithAnotherCaFirst_StillTrustsRedisCertificate()
    {
        // A CA rotation bundle: the new CA first, the one that signed Redis's certificate second.
        using var certificates = TestCertificates.Create();
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var otherRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=dtq next CA", otherKey,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        otherRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        using var other = otherRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var bundle = Path.Combine(certificates.Directory, "bundle.crt");
        await File.WriteAllTextAsync(bundle, other.ExportCertificatePem() + "\n" + await File.ReadAllTextAsync(certificates.CaCertificate));
        var settings = Settings(redis, certificates, RedisDurability.Off, redis.ConnectionString());
        settings.Options.RedisCaCertificate = bundle;
        var (check, _) = Check(settings);

        await check.CheckAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ACaFileWithTwoCasNeitherOfWhichSignedRedis_IsRefused()
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var now = TimeProvider.System.GetUtcNow();
        var pem = "";
        foreach (var subject in new[] { "CN=dtq test CA", "CN=dtq next CA" })
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(subject, key,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
            using var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
            pem += ca.ExportCertificatePem() + "\n";
        }
        var bundle = Path.Combine(certificates.Directory, "impostors.crt");
        await File.WriteAllTextAsync(bundle, pem);
        var settings = Settings(redis, certificates, RedisDurability.Off, redis.ConnectionString());
        settings.Options.RedisCaCertificate = bundle;
        var (check, _) = Check(settings);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => check.CheckAsync(CancellationToken.None));

        Assert.Contains("the TLS handshake failed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warn_WhenTheAclUserMayNotReadConfig_LogsWithoutThePassword()
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        var (check, logs) = Check(Settings(redis, certificates, RedisDurability.Warn, redis.ConnectionString()));

        await check.CheckAsync(CancellationToken.None);

        Assert.NotEmpty(logs.Entries);
        Assert.All(logs.Entries, e => Assert.DoesNotContain(SecureRedisServer.Password, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheHealthCheck_OverTlsWithAClientCertificateAndAnAclUser_IsHealthy()
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        await using var health = new RedisHealthCheck(Settings(redis, certificates, RedisDurability.Warn, redis.ConnectionString()),
            Options.Create(new HealthOptions { RedisTimeout = TimeSpan.FromSeconds(3) }));

        var result = await health.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task TheHealthCheck_WithAWrongPassword_IsUnhealthy_WithoutThePassword()
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await SecureRedisServer.StartAsync(certificates, "srs-" + Guid.NewGuid().ToString("N")[..8]);
        await using var health = new RedisHealthCheck(Settings(redis, certificates, RedisDurability.Warn, redis.ConnectionString("wrong-pass")),
            Options.Create(new HealthOptions { RedisTimeout = TimeSpan.FromSeconds(2) }));

        var result = await health.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.DoesNotContain("wrong-pass", result.Description ?? "", StringComparison.Ordinal);
    }
}
