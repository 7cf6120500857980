using DistributedTaskQueue.Schedules;
using DistributedTaskQueue.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// A schedule's incarnation, the last part of every key it submits under: kept by updates, new after a removal, and
/// absent from a schedule stored before incarnations, which keeps its old keys. Fake schedule clock, real Redis.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleIncarnationTests(RedisFixture fixture) : ScheduleClusterTest(fixture), IDisposable
{
    private readonly ServiceProvider _serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();



    public void Dispose() => _serialization.Dispose();

    [Fact]
    public async Task UpdatesPausesAndResumes_KeepTheIncarnation_ARemovalEndsIt()
    {
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        await schedules.ScheduleEveryMinutesAsync("kept", new RecordTask("k"), "si-kept", 5);
        var created = await ScheduleProbe.InfoAsync(cluster, "kept");
        Assert.Matches("^[0-9a-f]{16}$", created.Incarnation);

        await schedules.ScheduleDailyAsync("kept", new RecordTask("k2"), "si-kept", 3, 0); // a new timing, still an update
        await schedules.PauseAsync("kept");
        await schedules.ResumeAsync("kept");
        Assert.Equal(created.Incarnation, (await ScheduleProbe.InfoAsync(cluster, "kept")).Incarnation);

        Assert.True(await schedules.RemoveAsync("kept"));
        await schedules.ScheduleEveryMinutesAsync("kept", new RecordTask("k"), "si-kept", 5);
        var again = await ScheduleProbe.InfoAsync(cluster, "kept");
        Assert.Matches("^[0-9a-f]{16}$", again.Incarnation);
        Assert.NotEqual(created.Incarnation, again.Incarnation);
    }

    // The trigger key's instant is kept strictly increasing within a schedule (LastTriggeredAt), but a removal clears it:
    // without the incarnation, a trigger of the schedule created again at the same instant was the removed one's task.
    [Fact]
    public async Task ATriggerOfAScheduleCreatedAgain_AtTheSameInstant_IsATaskOfItsOwn()
    {
        const string queue = "si-trigger";
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        await schedules.ScheduleDailyAsync("again", new RecordTask("a"), queue, 3, 0);
        var first = await schedules.TriggerAsync("again");
        Assert.True(await schedules.RemoveAsync("again"));

        await schedules.ScheduleDailyAsync("again", new RecordTask("b"), queue, 3, 0);
        var second = await schedules.TriggerAsync("again");

        Assert.NotEqual(first, second);
        Assert.Equal(2, await PendingAsync(cluster, queue));
    }

    // An upgrade must not fire an occurrence twice: a schedule stored by a release without incarnations, whose silo
    // submitted 12:01 under the old key and died before writing its cursor, finds that task after the upgrade.
    [Fact]
    public async Task AScheduleStoredWithoutAnIncarnation_KeepsItsOldKeys_AndFiresNothingTwiceAcrossTheUpgrade()
    {
        const string queue = "si-upgrade";
        await using (var before = await StartAsync())
        {
            await before.Client.Schedules.ScheduleEveryMinutesAsync("legacy", new RecordTask("l"), queue, 1);
        }
        await ForgetIncarnationAsync("legacy");

        await using var cluster = await StartAsync();
        Assert.Null((await ScheduleProbe.InfoAsync(cluster, "legacy")).Incarnation);
        Time.Advance(TimeSpan.FromMinutes(1));
        var early = await cluster.Client.SubmitAsync(new RecordTask("l"), queue,
            new TaskOptions { IdempotencyKey = "legacy:2026-06-01T12:01:00.0000000Z" });

        await ScheduleProbe.TickAsync(cluster, "legacy");

        var info = await ScheduleProbe.InfoAsync(cluster, "legacy");
        Assert.Equal(early, info.LastTaskId);
        Assert.Equal(1, info.FireCount);
        Assert.Equal(1, await PendingAsync(cluster, queue));

        // An update keeps the old keys too: giving it an incarnation now would be the same change of keys.
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("legacy", new RecordTask("l2"), queue, 1);
        Assert.Null((await ScheduleProbe.InfoAsync(cluster, "legacy")).Incarnation);
    }

    /// <summary>
    /// Rewrites the stored state with no incarnation. The bytes hold field 15 as null, where a release without the field
    /// wrote nothing for it; both read back as null.
    /// </summary>
    private async Task ForgetIncarnationAsync(string name)
    {
        var serializer = _serialization.GetRequiredService<Serializer>();
        var bytes = await ScheduleRedis.StateBytesAsync(Fixture.Redis, ServiceId, name);
        Assert.NotNull(bytes);
        var state = serializer.Deserialize<ScheduleState>(bytes)!;
        Assert.Matches("^[0-9a-f]{16}$", state.Incarnation);
        state.Incarnation = null;
        await ScheduleRedis.SetStateBytesAsync(Fixture.Redis, ServiceId, name, serializer.SerializeToArray(state));
    }
}
