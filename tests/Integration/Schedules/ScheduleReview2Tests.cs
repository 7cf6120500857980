using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// Hostile review of the schedules feature, second round (branch review-sched): removal racing a due occurrence and
/// ticks in flight, re-creating a removed schedule, triggers at one instant, updates between an occurrence and its
/// tick, and paging while other callers create and remove schedules. Fake schedule clock, real grains, real Redis.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleReview2Tests(RedisFixture fixture) : ScheduleClusterTest(fixture)
{
    // Invariant: a trigger submits the task now (TaskSchedules.TriggerAsync, not repeatable), and TriggerCount counts the
    // tasks triggers submitted. Two triggers at one instant (a fake clock; a clock stepped back) share the key
    // {name}:{utc}:manual, so the queue answers the second with the first task.
    [Fact]
    public async Task TwoTriggersAtTheSameInstant_SubmitTwoTasks()
    {
        const string queue = "rv2-trigger-twice";
        await using var cluster = await StartAsync();
        await cluster.Client.Schedules.ScheduleDailyAsync("twice", new RecordTask("t"), queue, 3, 0);

        var first = await cluster.Client.Schedules.TriggerAsync("twice");
        var second = await cluster.Client.Schedules.TriggerAsync("twice");

        var info = await ScheduleProbe.InfoAsync(cluster, "twice");
        Assert.Equal(2, info.TriggerCount);
        Assert.NotEqual(first, second);
        Assert.Equal(2, await PendingAsync(cluster, queue));
    }

    // Invariant: after a removal nothing more is submitted, the reminder is gone, and a schedule created again under the
    // name starts clean (IScheduleGrain.RemoveAsync: "its reminder, its state and its directory entry").
    [Fact]
    public async Task RemovedJustBeforeItsOccurrence_SubmitsNothingLater_AndTheNameStartsClean()
    {
        const string queue = "rv2-remove";
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        await schedules.ScheduleEveryMinutesAsync("gone", new RecordTask("g"), queue, 1);
        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "gone");
        await schedules.TriggerAsync("gone");
        await schedules.PauseAsync("gone");
        await schedules.ResumeAsync("gone");
        Assert.Equal(2, await PendingAsync(cluster, queue));

        Time.Advance(TimeSpan.FromMilliseconds(59_999)); // 1 ms before 12:02
        Assert.True(await schedules.RemoveAsync("gone"));
        Time.Advance(TimeSpan.FromMinutes(5));
        await ScheduleProbe.TickAsync(cluster, "gone");
        await ScheduleProbe.TickAsync(cluster, "gone");
        Assert.Equal(2, await PendingAsync(cluster, queue));
        Assert.False(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "gone"));
        Assert.Empty(ScheduleRedis.ScheduleKeys(Fixture.Redis, ServiceId));

        var now = Time.GetUtcNow();
        await schedules.ScheduleEveryMinutesAsync("gone", new RecordTask("again"), queue, 1);
        var fresh = await ScheduleProbe.InfoAsync(cluster, "gone");
        Assert.Equal((0L, 0L, 0L), (fresh.FireCount, fresh.TriggerCount, fresh.SkipCount));
        Assert.Null(fresh.LastTaskId);
        Assert.Null(fresh.LastOccurrence);
        Assert.Null(fresh.LastRunAt);
        Assert.Empty(fresh.RecentFires);
        Assert.False(fresh.Paused);
        Assert.Equal(now, fresh.CreatedAt);
        Assert.Equal(now.AddMinutes(1), fresh.NextRun);
        Assert.True(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "gone"));

        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "gone");
        Assert.Equal(3, await PendingAsync(cluster, queue));
        Assert.Equal(1, (await ScheduleProbe.InfoAsync(cluster, "gone")).FireCount);
    }

    // Invariant: a removed schedule submits nothing more, even when the removal races ticks already on their way; its
    // reminder, state and listing are gone whichever came first, and a due occurrence fired at most once.
    [Fact]
    public async Task RemovalsRacingTicks_LeaveNoReminderStateOrLaterTask()
    {
        const string queue = "rv2-remove-race";
        const int count = 12;
        await using var cluster = await StartAsync();
        var names = Enumerable.Range(0, count).Select(i => $"race {i}").ToList();
        foreach (var name in names) await cluster.Client.Schedules.ScheduleEveryMinutesAsync(name, new RecordTask(name), queue, 1);
        Time.Advance(TimeSpan.FromMinutes(1));

        await Task.WhenAll(names.Select(async (name, i) =>
        {
            // A tick sent by hand may reach the activation the removal is deactivating, and Orleans rejects it
            // (OrleansMessageRejectionException) as it rejects the reminder service's own tick then: not a defect.
            var ticks = Enumerable.Range(0, 3).Select(async _ =>
            {
                try
                {
                    await ScheduleProbe.TickAsync(cluster, name);
                }
                catch (Orleans.Runtime.OrleansMessageRejectionException)
                {
                }
            }).ToList();
            if (i % 2 == 0) await Task.Yield();
            var removal = cluster.Client.Schedules.RemoveAsync(name);
            await Task.WhenAll([.. ticks, removal]);
            Assert.True(await removal);
        }));
        var fired = await PendingAsync(cluster, queue);
        Assert.InRange(fired, 0, count);

        Time.Advance(TimeSpan.FromMinutes(3));
        foreach (var name in names) await ScheduleProbe.TickAsync(cluster, name);
        Assert.Equal(fired, await PendingAsync(cluster, queue));
        foreach (var name in names)
        {
            Assert.Null(await cluster.Client.Schedules.GetAsync(name));
            Assert.False(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, name));
        }
        Assert.Empty(ScheduleRedis.ScheduleKeys(Fixture.Redis, ServiceId));
        Assert.Empty((await cluster.Client.Schedules.ListAsync(1000)).Schedules);
    }

    // Invariant: a schedule created again after its removal starts clean; its fires are its own tasks. A once-schedule
    // removed after it fired and created again for the same instant used to submit the key {name}:{occurrence} again,
    // and the queue answered with the removed schedule's task. Keys now end in the schedule's incarnation.
    [Fact]
    public async Task AOnceScheduleRemovedAndCreatedAgainForTheSameInstant_SubmitsANewTask()
    {
        const string queue = "rv2-once-again";
        await using var cluster = await StartAsync();
        var at = Start.AddMinutes(1);
        await cluster.Client.Schedules.ScheduleOnceAsync("backup", new RecordTask("first"), queue, at);
        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "backup");
        var first = (await ScheduleProbe.InfoAsync(cluster, "backup")).LastTaskId;
        Assert.True(await cluster.Client.Schedules.RemoveAsync("backup"));

        await cluster.Client.Schedules.ScheduleOnceAsync("backup", new RecordTask("second"), queue, at);
        await ScheduleProbe.TickAsync(cluster, "backup");

        var again = await ScheduleProbe.InfoAsync(cluster, "backup");
        Assert.Equal(1, again.FireCount);
        Assert.NotEqual(first, again.LastTaskId);
        Assert.Equal(2, await PendingAsync(cluster, queue));
    }

    // Invariant: an update that keeps the timing keeps the schedule's place: an occurrence due but not yet fired when the
    // update lands still fires, once, with the updated task; ticks and updates racing each other fire it once.
    [Fact]
    public async Task UpdatesRacingADueOccurrence_FireItOnce_WithTheUpdatedTask()
    {
        const string queue = "rv2-upsert-race";
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        await schedules.ScheduleEveryMinutesAsync("upd", new RecordTask("v1"), queue, 1);
        Time.Advance(TimeSpan.FromSeconds(70)); // 12:01 is due, not ticked yet

        await schedules.ScheduleEveryMinutesAsync("upd", new RecordTask("v2"), queue, 1);
        await ScheduleProbe.TickAsync(cluster, "upd");
        var info = await ScheduleProbe.InfoAsync(cluster, "upd");
        Assert.Equal(1, info.FireCount);
        Assert.Equal(Start.AddMinutes(1), info.LastOccurrence);
        var task = (await cluster.Client.GetTaskAsync(info.LastTaskId!.Value))!;
        Assert.Equal(TaskState.Pending, task.State);

        async Task PauseThenResumeAsync()
        {
            await schedules.PauseAsync("upd");
            await schedules.ResumeAsync("upd");
        }

        for (var round = 0; round < 5; round++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAll(
                ScheduleProbe.TickAsync(cluster, "upd"),
                schedules.ScheduleEveryMinutesAsync("upd", new RecordTask($"r{round}"), queue, 1),
                ScheduleProbe.TickAsync(cluster, "upd"),
                PauseThenResumeAsync());
        }
        var after = await ScheduleProbe.InfoAsync(cluster, "upd");
        Assert.InRange(after.FireCount, 1, 6);
        Assert.Equal(after.FireCount, await PendingAsync(cluster, queue));
        Assert.Equal(after.RecentFires.Select(f => f.Occurrence).Distinct().Count(), after.RecentFires.Count);
        Assert.False(after.Paused);
    }

    // Invariant: a schedule that exists throughout a listing is listed exactly once, whatever other callers create and
    // remove meanwhile (TaskSchedules.ListAsync: "a schedule created or removed meanwhile may or may not appear").
    [Fact]
    public async Task PagingWhileOthersCreateAndRemove_ListsEveryStableScheduleOnce()
    {
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        var stable = Enumerable.Range(0, 150).Select(i => $"stable {i:000}").ToList();
        foreach (var chunk in stable.Chunk(25))
            await Task.WhenAll(chunk.Select(n => schedules.ScheduleCronAsync(n, new RecordTask(n), "rv2-list", "0 3 * * *")));

        using var stop = new CancellationTokenSource();
        var churn = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                // Names that sort before, among and after the stable ones, in every shard.
                var batch = Enumerable.Range(i, 8).Select(k => (k % 3) switch { 0 => $"a churn {k}", 1 => $"stable {k % 150:000} churn", _ => $"z churn {k}" }).ToList();
                await Task.WhenAll(batch.Select(n => schedules.ScheduleCronAsync(n, new RecordTask(n), "rv2-list", "0 3 * * *")));
                await Task.WhenAll(batch.Where((_, j) => j % 2 == 0).Select(n => schedules.RemoveAsync(n)));
                i += 8;
            }
        });

        var failures = new List<string>();
        foreach (var pageSize in new[] { 1, 7, 64, 1000 })
        {
            var seen = new List<string>();
            string? token = null;
            do
            {
                var page = await schedules.ListAsync(pageSize, token);
                Assert.True(page.Schedules.Count <= pageSize);
                seen.AddRange(page.Schedules.Select(s => s.Id.Name));
                token = page.NextPageToken;
            }
            while (token is not null);
            var counted = seen.Where(n => !n.Contains("churn", StringComparison.Ordinal)).GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            failures.AddRange(stable.Where(n => counted.GetValueOrDefault(n) != 1).Select(n => $"page size {pageSize}: {n} listed {counted.GetValueOrDefault(n)} times"));
            Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        }
        await stop.CancelAsync();
        await churn;
        Assert.Empty(failures);
    }
}
