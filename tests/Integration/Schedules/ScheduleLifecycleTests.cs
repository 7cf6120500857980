using System.Text;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// A schedule's life on real grains and a real Redis: upsert keeps history and counts, pause, resume, trigger and
/// remove do what they say (down to the keys and reminders in Redis), listing pages through every schedule, and
/// what is stored names no .NET type.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleLifecycleTests(RedisFixture fixture) : ScheduleClusterTest(fixture)
{
    [Fact]
    public async Task Upsert_ReplacesTheDefinition_KeepsCountsAndHistory_AndRecomputesTheNextRun()
    {
        const string queue = "sl-upsert";
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        await schedules.ScheduleEveryMinutesAsync("Health Check", new RecordTask("v1"), queue, 30);
        Time.Advance(TimeSpan.FromMinutes(30));
        await ScheduleProbe.TickAsync(cluster, "Health Check");
        var before = await ScheduleProbe.InfoAsync(cluster, "Health Check");

        // Same timing, new task and priority: the schedule keeps its place (next run 13:00).
        Time.Advance(TimeSpan.FromMinutes(5));
        await schedules.ScheduleEveryMinutesAsync("Health Check", new RecordTask("v2"), queue, 30, new TaskOptions { Priority = TaskPriority.High });
        var same = await ScheduleProbe.InfoAsync(cluster, "Health Check");
        Assert.Equal(Start.AddMinutes(60), same.NextRun);
        Assert.Equal(TaskPriority.High, same.Definition.Task.Priority);
        Assert.Contains("v2", Encoding.UTF8.GetString(same.Definition.Task.Payload), StringComparison.Ordinal);

        // A new timing starts from now; history and counts stay.
        await schedules.ScheduleDailyAsync("Health Check", new RecordTask("v3"), queue, 2, 30);
        var changed = await ScheduleProbe.InfoAsync(cluster, "Health Check");
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 2, 30, 0, TimeSpan.Zero), changed.NextRun);
        Assert.Equal(before.CreatedAt, changed.CreatedAt);
        Assert.Equal(Start.AddMinutes(35), changed.UpdatedAt);
        Assert.Equal(1, changed.FireCount);
        Assert.Equal(before.LastTaskId, changed.LastTaskId);
        Assert.Equal(before.LastOccurrence, changed.LastOccurrence);
        Assert.IsType<ScheduleKind.Daily>(changed.Definition.Kind);
        Assert.Single(await ListAllAsync(cluster));

        // The next fire submits the new task.
        Time.Advance(TimeSpan.FromHours(15));
        await ScheduleProbe.TickAsync(cluster, "Health Check");
        var fired = await ScheduleProbe.InfoAsync(cluster, "Health Check");
        Assert.Equal(2, fired.FireCount);
        var task = (await cluster.Client.GetTaskAsync(fired.LastTaskId!.Value))!;
        Assert.Equal("test.record", task.TaskName);
    }

    [Fact]
    public async Task PauseResumeTriggerRemove_DoWhatTheySay()
    {
        const string queue = "sl-control";
        await using var cluster = await StartAsync();
        var schedules = cluster.Client.Schedules;
        await schedules.ScheduleEveryMinutesAsync("control", new RecordTask("c"), queue, 1);
        Assert.True(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "control"));

        Assert.True(await schedules.PauseAsync("control"));
        Assert.False(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "control"));
        Time.Advance(TimeSpan.FromMinutes(3));
        await ScheduleProbe.TickAsync(cluster, "control");
        var paused = await ScheduleProbe.InfoAsync(cluster, "control");
        Assert.True(paused.Paused);
        Assert.Null(paused.NextRun);
        Assert.Equal(0, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);

        // A trigger fires even while paused, under its own key.
        var triggered = await schedules.TriggerAsync("control");
        Assert.NotNull(triggered);
        var afterTrigger = await ScheduleProbe.InfoAsync(cluster, "control");
        Assert.Equal(1, afterTrigger.TriggerCount);
        Assert.Equal(0, afterTrigger.FireCount);
        Assert.Equal(triggered, afterTrigger.LastTaskId);
        Assert.Equal(TaskState.Pending, afterTrigger.LastTaskState);
        Assert.True(afterTrigger.RecentFires[0].Manual);
        Assert.Null(afterTrigger.LastOccurrence);

        // Resume: what came due while paused is not fired; the next occurrence is.
        Assert.True(await schedules.ResumeAsync("control"));
        Assert.True(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "control"));
        await ScheduleProbe.TickAsync(cluster, "control");
        Assert.Equal(1, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);
        Assert.Equal(Start.AddMinutes(4), (await ScheduleProbe.InfoAsync(cluster, "control")).NextRun);
        Time.Advance(TimeSpan.FromMinutes(1));
        await ScheduleProbe.TickAsync(cluster, "control");
        Assert.Equal(2, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);

        // Remove: state, directory entry and reminder go; the tasks it submitted stay.
        Assert.Contains(ScheduleRedis.ScheduleKeys(Fixture.Redis, ServiceId), k => k.Contains("/control/", StringComparison.Ordinal));
        Assert.True(await schedules.RemoveAsync("control"));
        Assert.Null(await schedules.GetAsync("control"));
        Assert.Empty(ScheduleRedis.ScheduleKeys(Fixture.Redis, ServiceId)); // its state and its (now empty) directory shard
        Assert.False(await ScheduleRedis.HasReminderAsync(Fixture.Redis, ServiceId, "control"));
        Assert.Empty(await ListAllAsync(cluster));
        Time.Advance(TimeSpan.FromMinutes(5));
        await ScheduleProbe.TickAsync(cluster, "control");
        Assert.Equal(2, (await cluster.Client.GetQueueStatsAsync(queue)).Pending);
        Assert.Null(await schedules.GetAsync("control"));

        // On a schedule that does not exist, every call says so and stores nothing.
        Assert.False(await schedules.PauseAsync("nothing"));
        Assert.False(await schedules.ResumeAsync("nothing"));
        Assert.Null(await schedules.TriggerAsync("nothing"));
        Assert.False(await schedules.RemoveAsync("nothing"));
        Assert.Null(await schedules.GetAsync("nothing"));
        Assert.DoesNotContain(ScheduleRedis.ScheduleKeys(Fixture.Redis, ServiceId), k => k.Contains("/nothing/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_PagesThroughEverySchedule_OnceEach()
    {
        await using var cluster = await StartAsync();
        var names = Enumerable.Range(0, 230).Select(i => $"job {i:000}").ToList();
        foreach (var chunk in names.Chunk(20))
            await Task.WhenAll(chunk.Select(n => cluster.Client.Schedules.ScheduleCronAsync(n, new RecordTask(n), "sl-list", "0 3 * * *")));

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await cluster.Client.Schedules.ListAsync(100, token);
            Assert.True(page.Schedules.Count <= 100);
            seen.AddRange(page.Schedules.Select(s => s.Id.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(names, seen.Order(StringComparer.Ordinal));
        Assert.InRange(pages, 3, 4);
        await cluster.Client.Schedules.RemoveAsync("job 007");
        Assert.Equal(229, (await ListAllAsync(cluster)).Count);
    }

    [Fact]
    public async Task StoredState_NamesNoDotNetType_AndSurvivesAReload()
    {
        await using (var cluster = await StartAsync())
        {
            await cluster.Client.Schedules.ScheduleWeeklyAsync("Weekly Report", new RecordTask("r"), "sl-store", DayOfWeek.Monday, 9, 0,
                TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), policies: new SchedulePolicies { Misfire = MisfirePolicy.FireAll(4), Overlap = OverlapPolicy.SkipIfRunning });
        }
        var bytes = await ScheduleRedis.StateBytesAsync(Fixture.Redis, ServiceId, "Weekly Report");
        Assert.NotNull(bytes);
        var text = Encoding.Latin1.GetString(bytes);
        Assert.Contains("dtq.ScheduleKind.Weekly", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DistributedTaskQueue", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);

        await using var again = await StartAsync();
        var info = await ScheduleProbe.InfoAsync(again, "Weekly Report");
        Assert.Equal(new ScheduleKind.Weekly(DayOfWeek.Monday, 9, 0, "Europe/Berlin"), info.Definition.Kind);
        Assert.Equal(MisfirePolicy.FireAll(4), info.Definition.Policies.Misfire);
        Assert.Equal(OverlapPolicy.SkipIfRunning, info.Definition.Policies.Overlap);
        // 1 June 2026 is a Monday, but its 09:00 CEST (07:00Z) is before the clock's 12:00Z: next Monday.
        Assert.Equal(new DateTimeOffset(2026, 6, 8, 9, 0, 0, TimeSpan.FromHours(2)), info.NextRun);
    }

    private static async Task<List<ScheduleInfo>> ListAllAsync(TaskQueueCluster cluster)
    {
        var all = new List<ScheduleInfo>();
        await foreach (var schedule in cluster.Client.Schedules.ListAllAsync()) all.Add(schedule);
        return all;
    }
}
