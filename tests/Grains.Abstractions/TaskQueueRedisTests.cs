using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Grains.Abstractions;

/// <summary>The Redis TLS settings with hostile values: each fails at once, naming its setting, and never shows a secret.</summary>
public sealed class TaskQueueRedisTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_certificates.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Hostile(string kind) => kind switch
    {
        "empty" => Write("empty.pem", ""),
        "garbage" => Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"),
        "key" => _certificates.ClientKey,
        "certificate" => _certificates.ClientCertificate,
        "other key" => _certificates.ServerKey,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private TaskQueueOptions Options(string? ca = null, string? certificate = null, string? key = null) => new()
    {
        RedisConnectionString = "127.0.0.1:6380,ssl=true,user=dtq,password=s3cret-Pa55",
        RedisCaCertificate = ca ?? _certificates.CaCertificate,
        RedisClientCertificate = certificate ?? _certificates.ClientCertificate,
        RedisClientKey = key ?? _certificates.ClientKey,
    };

    [Fact]
    public void Configuration_ReadsRepliesOnTheThreadPool_NotOnTheLibrarysOwnSocketThreads() =>
        Assert.Same(StackExchange.Redis.SocketManager.ThreadPool, TaskQueueRedis.Configuration(new TaskQueueOptions { RedisConnectionString = "127.0.0.1:6379" }).SocketManager);

    [Fact]
    public void Configuration_ItsOwnFiles_AreAccepted() => Assert.True(TaskQueueRedis.Configuration(Options()).Ssl);

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("key")]
    public void Configuration_ACaFileThatHoldsNoCertificate_FailsNamingTheSetting(string kind)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => TaskQueueRedis.Configuration(Options(ca: Hostile(kind))));

        Assert.Contains("TaskQueue:RedisCaCertificate", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_ADirectoryForACaFile_FailsNamingTheSetting()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => TaskQueueRedis.Configuration(Options(ca: _certificates.Directory)));

        Assert.Contains("TaskQueue:RedisCaCertificate", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("key")]
    public void Configuration_AClientCertificateFileThatHoldsNoCertificate_FailsNamingTheSetting(string kind)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => TaskQueueRedis.Configuration(Options(certificate: Hostile(kind))));

        Assert.Contains("TaskQueue:RedisClientCertificate", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("certificate")]
    [InlineData("other key")]
    public void Configuration_AKeyFileThatHoldsNotTheCertificatesKey_FailsNamingTheSetting(string kind)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => TaskQueueRedis.Configuration(Options(key: Hostile(kind))));

        Assert.Contains("TaskQueue:RedisClientKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_AConnectionStringThatDoesNotParse_DoesNotShowItsPassword()
    {
        var options = Options();
        options.RedisConnectionString = "127.0.0.1:6380,password=s3cret-Pa55,connectTimeout=soon";

        var refused = Assert.ThrowsAny<Exception>(() => TaskQueueRedis.Configuration(options));

        Assert.DoesNotContain("s3cret", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NeverShowsThePassword()
    {
        Assert.DoesNotContain("s3cret", TaskQueueRedis.Describe(Options()), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", TaskQueueRedis.Describe(new TaskQueueOptions { RedisConnectionString = "127.0.0.1,password=s3cret,bogus=1" }), StringComparison.Ordinal);
    }
}
