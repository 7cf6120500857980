using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>The rules between partition and worker settings: leases outlive renewals, a hold-back outlasts one renewal.</summary>
public sealed class LeaseRenewalValidatorTests
{
    private static ValidateOptionsResult Check(PartitionOptions partitions, TimeSpan heartbeat) =>
        new LeaseRenewalValidator(Options.Create(new WorkerOptions { HeartbeatInterval = heartbeat })).Validate(null, partitions);

    [Fact]
    public void Validate_AcceptsTheDefaults() =>
        Assert.True(new LeaseRenewalValidator(Options.Create(new WorkerOptions())).Validate(null, new PartitionOptions()).Succeeded);

    [Fact]
    public void Validate_RefusesALeaseShorterThanTwoHeartbeats_NamingBothKeys()
    {
        var result = Check(new PartitionOptions { LeaseDuration = TimeSpan.FromSeconds(3) }, heartbeat: TimeSpan.FromSeconds(2));

        var failure = Assert.Single(result.Failures ?? []);
        Assert.StartsWith("TaskQueue:LeaseDuration must be at least twice TaskQueue:Worker:HeartbeatInterval", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AcceptsALeaseOfExactlyTwoHeartbeats() =>
        Assert.True(Check(new PartitionOptions { LeaseDuration = TimeSpan.FromSeconds(4) }, heartbeat: TimeSpan.FromSeconds(2)).Succeeded);

    [Theory]
    [InlineData(2000)]
    [InlineData(2499)]
    public void Validate_RefusesAHoldBackShorterThanTheHeartbeatAndATrip_NamingBothKeys(int holdBackMilliseconds)
    {
        var result = Check(new PartitionOptions { FailoverHoldBack = TimeSpan.FromMilliseconds(holdBackMilliseconds) }, heartbeat: TimeSpan.FromSeconds(2));

        var failure = Assert.Single(result.Failures ?? []);
        Assert.StartsWith("TaskQueue:FailoverHoldBack must be at least TaskQueue:Worker:HeartbeatInterval + 0.5 s (or 0)", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2500)]
    public void Validate_AcceptsNoHoldBack_OrOneOfAHeartbeatAndATrip(int holdBackMilliseconds) =>
        Assert.True(Check(new PartitionOptions { FailoverHoldBack = TimeSpan.FromMilliseconds(holdBackMilliseconds) }, heartbeat: TimeSpan.FromSeconds(2)).Succeeded);

    [Fact]
    public void Validate_LeavesABadWorkerToItsOwnValidator()
    {
        var services = new ServiceCollection();
        services.AddOptions<WorkerOptions>().Configure(o => o.HeartbeatInterval = TimeSpan.Zero);
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var result = new LeaseRenewalValidator(provider.GetRequiredService<IOptions<WorkerOptions>>()).Validate(null, new PartitionOptions());

        Assert.True(result.Skipped);
    }
}
