using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Schedules;

/// <summary>
/// Bad schedules are refused with <see cref="InvalidScheduleException"/> naming the field, by the client and again by
/// the grain (invariant 10), and nothing is stored: no state, no directory entry, no reminder.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class ScheduleRefusalTests(RedisFixture fixture)
{
    private const string Queue = "sr-refused";
    private static readonly RecordTask Task1 = new("r");

    public static TheoryData<string, string> ClientRefusals => new()
    {
        { "bad cron", "Cron" },
        { "unknown time zone", "TimeZone" },
        { "minutes 0", "Minutes" },
        { "hour 24", "Hour" },
        { "minute 60", "Minute" },
        { "weekday 7", "Day" },
        { "empty name", "Name" },
        { "name of 201", "Name" },
        { "control character in name", "Name" },
        { "bad queue", "Queue" },
        { "payload not JSON", "Task.Payload" },
        { "payload too large", "Task.Payload" },
        { "a delay", "Task.NotBefore" },
        { "an idempotency key", "Task.IdempotencyKey" },
        { "an expiry", "Task.ExpiresAt" },
        { "FireAll(0)", "Policies.Misfire" },
        { "negative threshold", "Policies.MisfireThreshold" },
        { "once 11 years ahead", "At" },
        { "never fires", "Cron" },
    };

    [Theory]
    [MemberData(nameof(ClientRefusals))]
    public async Task BadInput_IsRefusedNamingTheField_AndNothingIsStored(string problem, string field)
    {
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId,
            configure: (_, s) => s.Options.MaxPayloadBytes = 1024);
        var schedules = cluster.Client.Schedules;
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Func<Task> create = problem switch
        {
            "bad cron" => () => schedules.ScheduleCronAsync("s", Task1, Queue, "*/15 * * *  banana"),
            "unknown time zone" => () => schedules.ScheduleCronAsync("s", "test.record", "{}", Queue, "0 * * * *",
                TimeZoneInfo.CreateCustomTimeZone("Mars/Olympus_Mons", TimeSpan.FromHours(3), "Mars", "Mars")),
            "minutes 0" => () => schedules.ScheduleEveryMinutesAsync("s", Task1, Queue, 0),
            "hour 24" => () => schedules.ScheduleDailyAsync("s", Task1, Queue, 24, 0, berlin),
            "minute 60" => () => schedules.ScheduleWeeklyAsync("s", Task1, Queue, DayOfWeek.Monday, 9, 60),
            "weekday 7" => () => schedules.ScheduleWeeklyAsync("s", Task1, Queue, (DayOfWeek)7, 9, 0),
            "empty name" => () => schedules.ScheduleDailyAsync("", Task1, Queue, 2, 30),
            "name of 201" => () => schedules.ScheduleDailyAsync(new string('n', 201), Task1, Queue, 2, 30),
            "control character in name" => () => schedules.ScheduleDailyAsync("bad\nname", Task1, Queue, 2, 30),
            "bad queue" => () => schedules.ScheduleDailyAsync("s", Task1, "no spaces please", 2, 30),
            "payload not JSON" => () => schedules.ScheduleDailyAsync("s", "test.record", "{not json", Queue, 2, 30),
            "payload too large" => () => schedules.ScheduleDailyAsync("s", new RecordTask(new string('x', 2000)), Queue, 2, 30),
            "a delay" => () => schedules.ScheduleDailyAsync("s", Task1, Queue, 2, 30, options: new TaskOptions { Delay = TimeSpan.FromMinutes(1) }),
            "an idempotency key" => () => schedules.ScheduleDailyAsync("s", Task1, Queue, 2, 30, options: new TaskOptions { IdempotencyKey = "k" }),
            "an expiry" => () => schedules.ScheduleDailyAsync("s", Task1, Queue, 2, 30, options: new TaskOptions { ExpiresAt = DateTimeOffset.MaxValue }),
            "FireAll(0)" => () => schedules.ScheduleDailyAsync("s", Task1, Queue, 2, 30, policies: new SchedulePolicies { Misfire = MisfirePolicy.FireAll(0) }),
            "negative threshold" => () => schedules.ScheduleDailyAsync("s", Task1, Queue, 2, 30, policies: new SchedulePolicies { MisfireThreshold = TimeSpan.FromSeconds(-1) }),
            "once 11 years ahead" => () => schedules.ScheduleOnceAsync("s", Task1, Queue, new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            "never fires" => () => schedules.ScheduleCronAsync("s", Task1, Queue, "0 0 30 2 *"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var refused = await Assert.ThrowsAsync<InvalidScheduleException>(create);

        Assert.Equal(field, refused.Field);
        Assert.Empty(ScheduleRedis.ScheduleKeys(fixture.Redis, serviceId));
        Assert.False(await ScheduleRedis.HasReminderAsync(fixture.Redis, serviceId, "s"));
        Assert.Null(await schedules.GetAsync("s"));
    }

    [Fact]
    public async Task TheGrainRefusesWhatAClientLetThrough_AndStoresNothing()
    {
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [], serviceId: serviceId);
        var grain = cluster.Cluster.Client.GetGrain<IScheduleGrain>("direct");
        var task = new TaskSubmission { TaskName = "test.record", Payload = "{}"u8.ToArray() };
        ScheduleDefinition Definition(ScheduleKind kind) => new() { Kind = kind, Queue = Queue, Task = task };
        (ScheduleDefinition Definition, string Field)[] bad =
        [
            (Definition(new ScheduleKind.Daily(24, 0)), "Hour"),
            (Definition(new ScheduleKind.Cron("61 * * * *")), "Cron"),
            (Definition(new ScheduleKind.Cron("0 * * * *", "Nowhere/Atlantis")), "TimeZone"),
            (Definition(new ScheduleKind.EveryMinutes(-5)), "Minutes"),
            (Definition(new ScheduleKind.Daily(2, 30)) with { Queue = "bad queue" }, "Queue"),
            (Definition(new ScheduleKind.Daily(2, 30)) with { Task = task with { IdempotencyKey = "mine" } }, "Task.IdempotencyKey"),
            (Definition(new ScheduleKind.Daily(2, 30)) with { Task = task with { Payload = "nope"u8.ToArray() } }, "Task.Payload"),
            (Definition(new ScheduleKind.Daily(2, 30)) with { Task = task with { TaskName = "has space" } }, "Task.TaskName"),
            (Definition(new ScheduleKind.Daily(2, 30)) with { Policies = new SchedulePolicies { Misfire = MisfirePolicy.FireAll(5000) } }, "Policies.Misfire"),
        ];

        foreach (var (definition, field) in bad)
        {
            var refused = await Assert.ThrowsAsync<InvalidScheduleException>(() => grain.UpsertAsync(definition));
            Assert.True(field == refused.Field, $"{definition.Kind}: expected {field}, got {refused.Field}: {refused.Message}");
        }
        var longName = cluster.Cluster.Client.GetGrain<IScheduleGrain>(new string('n', 201));
        Assert.Equal("Name", (await Assert.ThrowsAsync<InvalidScheduleException>(() => longName.UpsertAsync(Definition(new ScheduleKind.Daily(2, 30))))).Field);

        Assert.Empty(ScheduleRedis.ScheduleKeys(fixture.Redis, serviceId));
        Assert.Null(await grain.GetAsync());
    }

    [Fact]
    public async Task ATaskNameNoWorkerHandles_IsRefused_NamingIt()
    {
        var serviceId = Guid.NewGuid().ToString("N");
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, ["sr-served"], serviceId: serviceId);
        var catalog = cluster.Cluster.Client.GetGrain<ITaskCatalogGrain>(0);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await catalog.GetAsync()).Workers == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "no worker registered its task names");
            await Task.Delay(50);
        }

        var refused = await Assert.ThrowsAsync<InvalidScheduleException>(() =>
            cluster.Client.Schedules.ScheduleDailyAsync("orphan", "nobody.handles.this", "{}", Queue, 2, 30));

        Assert.Equal("Task.TaskName", refused.Field);
        Assert.Contains("nobody.handles.this", refused.Message, StringComparison.Ordinal);
        Assert.Empty(ScheduleRedis.ScheduleKeys(fixture.Redis, serviceId));
        // A name a worker handles is accepted.
        await cluster.Client.Schedules.ScheduleDailyAsync("served", Task1, Queue, 2, 30);
        Assert.NotNull(await cluster.Client.Schedules.GetAsync("served"));
    }
}
