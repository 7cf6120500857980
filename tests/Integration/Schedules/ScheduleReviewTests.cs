using DistributedTaskQueue.Schedules;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// Hostile review of the schedules feature (branch review-sched). Each test states the invariant it breaks and the value
/// observed on main's head (883b15d) when it was written; every one of them failed there, and passes since the fix.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleReviewTests(RedisFixture fixture) : ScheduleClusterTest(fixture)
{
    // Invariant: bad input (a once-schedule in the far past) is refused with InvalidScheduleException naming the field.
    // ScheduleRules.ValidateKind only bounds Once.At from above (ScheduleRules.cs:56); ScheduleGrain.UpsertAsync (ScheduleGrain.cs:93) then
    // computes once.At - 1 tick, which for DateTimeOffset.MinValue throws.
    // Observed: System.ArgumentOutOfRangeException ("The UTC time represented when the offset is applied must be between
    // year 0 and 10,000"), not InvalidScheduleException { Field = "At" }.
    [Fact]
    public async Task AOnceScheduleAtTheStartOfTime_IsRefusedAsAnInvalidSchedule_NamingAt()
    {
        await using var cluster = await StartAsync();

        var refused = await Record.ExceptionAsync(() =>
            cluster.Client.Schedules.ScheduleOnceAsync("dawn", new RecordTask("d"), "rv-dawn", DateTimeOffset.MinValue));

        Assert.IsType<InvalidScheduleException>(refused);
        Assert.Equal("At", ((InvalidScheduleException)refused).Field);
        Assert.Empty(ScheduleRedis.ScheduleKeys(Fixture.Redis, ServiceId));
    }

    // Invariant: a refused definition stores nothing (IScheduleGrain.UpsertAsync: "throws ... (nothing stored)").
    // ScheduleGrain.UpsertAsync mutates state.DefinedAt (ScheduleGrain.cs:92) before computing the cursor that throws
    // (line 93), outside the try that drops the activation on failure; the next fire writes that DefinedAt, and the next
    // activation anchors the every-30-minutes timing at the refused call's time.
    // Observed: NextRun after a reload 2026-06-01T12:40:00Z (anchored at the refused upsert at 12:10), expected 13:00Z.
    [Fact]
    public async Task ARefusedUpsert_DoesNotMoveTheStoredTiming()
    {
        const string queue = "rv-refused-upsert";
        await using (var cluster = await StartAsync())
        {
            await cluster.Client.Schedules.ScheduleEveryMinutesAsync("half-hourly", new RecordTask("h"), queue, 30);
            Time.Advance(TimeSpan.FromMinutes(10));
            var grain = cluster.Cluster.Client.GetGrain<IScheduleGrain>("half-hourly");
            var bad = new ScheduleDefinition
            {
                Kind = new ScheduleKind.Once(DateTimeOffset.MinValue),
                Queue = queue,
                Task = new TaskSubmission { TaskName = "test.record", Payload = "{}"u8.ToArray() },
            };
            await Assert.ThrowsAnyAsync<Exception>(() => grain.UpsertAsync(bad));

            Time.Advance(TimeSpan.FromMinutes(20)); // 12:30: the schedule's own occurrence
            await ScheduleProbe.TickAsync(cluster, "half-hourly");
            Assert.Equal(1, await PendingAsync(cluster, queue));
        }

        await using var again = await StartAsync();
        var info = await ScheduleProbe.InfoAsync(again, "half-hourly");
        Assert.Equal(new ScheduleKind.EveryMinutes(30), info.Definition.Kind);
        Assert.Equal(Start.AddMinutes(60), info.NextRun);
    }

    // Invariant: each occurrence produces a task (no occurrence missed beyond the misfire policy). The idempotency key
    // space is not injective in the schedule name: ScheduleKeys.Fit (ScheduleKeys.cs:21-27) names a long schedule by
    // "sha256-{hash}", which is itself a valid short schedule name, so two schedules on one queue with the same timing
    // share every key and the queue dedups the second one's fire onto the first one's task.
    // Observed: 1 pending task for two schedules' 12:01 occurrences (expected 2); both report FireCount 1 and the same LastTaskId.
    [Fact]
    public async Task ALongNamedSchedule_AndOneNamedAfterItsHash_EachSubmitTheirOwnTask()
    {
        const string queue = "rv-hash-names";
        await using var cluster = await StartAsync();
        var longName = new string('L', 190);
        var hashName = ScheduleKeys.ForOccurrence(longName, null, Start)[..^(ScheduleKeys.Format(Start).Length + 1)];
        Assert.StartsWith("sha256-", hashName, StringComparison.Ordinal);
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync(longName, new RecordTask("long"), queue, 1);
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync(hashName, new RecordTask("short"), queue, 1);

        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, longName);
        await ScheduleProbe.TickAsync(cluster, hashName);

        var a = await ScheduleProbe.InfoAsync(cluster, longName);
        var b = await ScheduleProbe.InfoAsync(cluster, hashName);
        Assert.NotEqual(a.LastTaskId, b.LastTaskId);
        Assert.Equal(2, await PendingAsync(cluster, queue));
    }

    // Same root cause (ScheduleKeys.cs:14,16), through a trigger: schedule "n"'s trigger key "n:manual:{utc}" is schedule "n:manual"'s occurrence
    // key for that instant (names may hold ':'). A trigger of "n" at 12:01:00 swallows the 12:01 occurrence of "n:manual".
    // Observed: 1 pending task (expected 2); "n:manual"'s LastTaskId is the task the trigger of "n" submitted.
    [Fact]
    public async Task ATriggerOfOneSchedule_DoesNotSwallowAnotherSchedulesOccurrence()
    {
        const string queue = "rv-manual-names";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleDailyAsync("n", new RecordTask("n"), queue, 3, 0);
        await cluster.Client.Schedules.ScheduleEveryMinutesAsync("n:manual", new RecordTask("m"), queue, 1);

        Time.Advance(TimeSpan.FromMinutes(1)); // 12:01:00 exactly
        var triggered = await cluster.Client.Schedules.TriggerAsync("n");
        await ScheduleProbe.TickAsync(cluster, "n:manual");

        var info = await ScheduleProbe.InfoAsync(cluster, "n:manual");
        Assert.Equal(1, info.FireCount);
        Assert.NotEqual(triggered, info.LastTaskId);
        Assert.Equal(2, await PendingAsync(cluster, queue));
    }
}
