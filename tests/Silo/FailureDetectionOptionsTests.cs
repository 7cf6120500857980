using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// Failure detection as configured (<c>TaskQueue:FailureDetection</c>): what reaches Orleans' membership options, and a
/// bad value refused naming its key. The timing itself is shown by real processes in <c>ProcessTests</c>.
/// </summary>
public sealed class FailureDetectionOptionsTests
{
    private static HostApplicationBuilder RedisModeBuilder(params (string Key, string Value)[] configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Building a host does not connect: no Redis is needed to read its options.
        builder.Configuration["TaskQueue:Redis"] = "127.0.0.1:1";
        foreach (var (key, value) in configuration) builder.Configuration[key] = value;
        return builder;
    }

    [Fact]
    public void TheShippedDefaults_ReachOrleansMembership()
    {
        var builder = RedisModeBuilder();
        builder.UseTaskQueueSilo(s => s.SiloPort = RedisServer.FreePort());
        using var host = builder.Build();

        var membership = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(1), membership.ProbeTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), membership.MinProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1.5), membership.MaxProbeTimeout);
        Assert.Equal(3, membership.NumMissedProbesLimit);
        Assert.Equal(2, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(10), membership.TableRefreshTimeout);
        // The veto window a frozen silo hides behind: well under the 10 s target.
        Assert.True(membership.MaxProbeTimeout * membership.NumMissedProbesLimit <= TimeSpan.FromSeconds(4.5));
    }

    [Fact]
    public void ConfigurationKeys_Bind_AndCodeWins()
    {
        var builder = RedisModeBuilder(
            ("TaskQueue:FailureDetection:ProbeTimeout", "00:00:03"),
            ("TaskQueue:FailureDetection:MaxProbeTimeout", "00:00:05"),
            ("TaskQueue:FailureDetection:MissedProbesLimit", "4"),
            ("TaskQueue:FailureDetection:TableRefreshTimeout", "00:00:30"));
        builder.UseTaskQueueSilo(s =>
        {
            s.SiloPort = RedisServer.FreePort();
            s.FailureDetection.VotesForDeathDeclaration = 1;
        });
        using var host = builder.Build();

        var membership = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(3), membership.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.MaxProbeTimeout);
        Assert.Equal(4, membership.NumMissedProbesLimit);
        Assert.Equal(1, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(30), membership.TableRefreshTimeout);
    }

    [Theory]
    [InlineData("TaskQueue:FailureDetection:ProbeTimeout", "00:00:00.050", "TaskQueue:FailureDetection:ProbeTimeout must be 0.2 s..1 min")]
    [InlineData("TaskQueue:FailureDetection:MaxProbeTimeout", "00:00:00.500", "TaskQueue:FailureDetection:MaxProbeTimeout must be at least ProbeTimeout")]
    [InlineData("TaskQueue:FailureDetection:MissedProbesLimit", "0", "TaskQueue:FailureDetection:MissedProbesLimit must be 1..20")]
    [InlineData("TaskQueue:FailureDetection:VotesForDeathDeclaration", "-1", "TaskQueue:FailureDetection:VotesForDeathDeclaration must be 1..20")]
    [InlineData("TaskQueue:FailureDetection:TableRefreshTimeout", "00:00:00", "TaskQueue:FailureDetection:TableRefreshTimeout must be 1 s..10 min")]
    public void ABadValue_IsRefusedWhileTheHostIsBuilt_NamingItsKey(string key, string value, string expected)
    {
        var builder = RedisModeBuilder((key, value));
        var refused = Assert.ThrowsAny<Exception>(() =>
        {
            builder.UseTaskQueueSilo(s => s.SiloPort = RedisServer.FreePort());
            using var host = builder.Build();
        });
        Assert.Contains(expected, refused.ToString(), StringComparison.Ordinal);
    }
}
