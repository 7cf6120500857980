using System.Diagnostics;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A silo's consumer that runs a task with slots still free keeps an idle long poll parked at the partition (it parks
/// while some slot is free). When that silo dies, the partition releases its tasks and serves parked lease calls in
/// arrival order: the dead silo's own parked call must not be handed them (its reply goes nowhere, and a dead silo is
/// released only once, so they would wait out their whole lease). The dead silo's consumer is played by lease calls
/// under its worker id, made from the partition's own silo (so they outlive it, as parked requests do).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class DeadSiloParkedPollTests(RedisFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task ADeadSilosTask_IsNotHandedToThatDeadSilosOwnParkedLongPoll()
    {
        const string queue = "dead-poll";
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], silos: 3, configure: (_, s) =>
        {
            s.Partitions.RefuseUnknownTaskNames = false;
            s.Partitions.LeaseDuration = TimeSpan.FromMinutes(10); // only the death, through membership, brings it back
        }, services: services => services.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.MaxProbeTimeout = TimeSpan.FromSeconds(1.5);
            o.NumMissedProbesLimit = 3;
            o.NumVotesForDeathDeclaration = 1;
        }));
        var key = QueueNames.PartitionKey(queue, 0);
        var id = (await cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(key).SubmitAsync([new TaskSubmission { TaskName = "t", Payload = "{}"u8.ToArray() }]))[0];
        var owner = await ClusterProbes.OwnerSilo(cluster, key);
        var victim = cluster.Cluster.Silos.First(s => !s.SiloAddress.Equals(owner.SiloAddress));
        var dead = victim.SiloAddress.ToParsableString();
        var partition = owner.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<ITaskQueueGrain>(key);

        // The victim's consumer leases the task and, with slots free, parks its idle long poll.
        Assert.Equal(id.Sequence, Assert.Single(await partition.LeaseAsync(dead, 1, 4, TimeSpan.Zero, null)).Id.Sequence);
        var deadPoll = partition.LeaseAsync(dead, 2, 3, TimeSpan.FromSeconds(25), null);
        await Task.Delay(200);
        // A live silo's consumer parks its long poll after it.
        const string live = "live-worker";
        var livePoll = partition.LeaseAsync(live, 1, 4, TimeSpan.FromSeconds(25), null);

        var clock = Stopwatch.StartNew();
        await cluster.Cluster.KillSiloAsync(victim);
        var first = await Task.WhenAny(deadPoll, livePoll);
        output.WriteLine($"first answered after {clock.ElapsedMilliseconds} ms: {(first == deadPoll ? "the dead silo's poll" : "the live poll")}");
        var toDead = await deadPoll;
        var toLive = await livePoll;
        output.WriteLine($"dead poll got [{string.Join(", ", toDead.Select(t => t.Id))}], live poll got [{string.Join(", ", toLive.Select(t => t.Id))}]");

        Assert.DoesNotContain(toDead, t => t.Id == id); // today: handed back to the dead silo, stuck for its 10 min lease
        Assert.Contains(toLive, t => t.Id == id);
    }
}
