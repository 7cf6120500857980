using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// A removal whose delete landed in Redis but whose answer was lost (a connection dropped at the wrong moment): the
/// activation's ETag is stale from then on. Real grains, real Redis; the lost answer is played by deleting the stored
/// state behind the grain's back.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleRemoveFaultTests(RedisFixture fixture) : ScheduleClusterTest(fixture)
{
    // Before: the activation kept its stale ETag, so every retried removal failed (InconsistentStateException) for as
    // long as the activation lived, and a tick meanwhile fired the removed schedule.
    [Fact]
    public async Task ARemovalWhoseAnswerWasLost_FailsOnce_ThenTheRetrySucceeds_AndNothingFiresMeanwhile()
    {
        const string queue = "srf-lost-delete";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("lost", new RecordTask("l"), queue, 1);
        var grain = cluster.Cluster.Client.GetGrain<IScheduleGrain>("lost");
        Assert.NotNull(await grain.GetAsync()); // the activation holds the state and its ETag
        Assert.True(await ScheduleRedis.DeleteStateAsync(Fixture.Redis, ServiceId, "lost"));

        await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => grain.RemoveAsync());

        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "lost");
        Assert.Equal(0, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);
        Assert.False(await grain.RemoveAsync()); // a fresh activation: nothing stored, nothing to remove
        Assert.Null(await grain.GetAsync());
        Assert.False(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "lost"));
    }
}
