using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Cli;

/// <summary>dtq's schedule verbs as a process against a silo process.</summary>
[Collection(RedisGroup.Name)]
public sealed class CliScheduleTests(RedisFixture fixture)
{
    [Fact]
    public async Task Schedules_AddGetListTriggerPauseResumeRemove_ThroughTheTool()
    {
        var cli = await CliCluster.StartAsync(fixture.Redis, "sched");
        await using var _ = cli;

        var added = JsonDocument.Parse((await cli.RunOkAsync(
            "--json", "schedules", "add", "nightly", "dtq.echo", """{"n":1}""", "-q", "sched", "--daily", "02:30", "--tz", "Europe/Berlin",
            "--misfire", "skip", "--overlap", "SkipIfRunning", "-p", "High")).Stdout).RootElement;
        var kind = added.GetProperty("timing");
        Assert.Equal("daily", kind.GetProperty("kind").GetString());
        Assert.Equal(2, kind.GetProperty("hour").GetInt32());
        Assert.Equal(30, kind.GetProperty("minute").GetInt32());
        Assert.Equal("Europe/Berlin", kind.GetProperty("timeZone").GetString());
        var info = await cli.Client.Schedules.GetAsync("nightly");
        Assert.NotNull(info);
        Assert.Equal(MisfirePolicy.Skip, info.Definition.Policies.Misfire);
        Assert.Equal(OverlapPolicy.SkipIfRunning, info.Definition.Policies.Overlap);
        Assert.Equal(TaskPriority.High, info.Definition.Task.Priority);
        // 02:30 in Berlin is 00:30 or 01:30 UTC, by the season.
        var next = info.NextRun!.Value.UtcDateTime;
        Assert.Equal(30, next.Minute);
        Assert.InRange(next.Hour, 0, 1);

        await cli.RunOkAsync("schedules", "add", "often", "dtq.noop", "-q", "sched", "--every", "5", "--misfire", "all:3");
        await cli.RunOkAsync("schedules", "add", "mondays", "dtq.noop", "-q", "sched", "--weekly", "Mon 09:30");
        await cli.RunOkAsync("schedules", "add", "cron", "dtq.noop", "-q", "sched", "--cron", "*/10 * * * * *");
        var names = JsonDocument.Parse((await cli.RunOkAsync("--json", "schedules", "list", "--all", "--page-size", "2")).Stdout).RootElement
            .GetProperty("schedules").EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order().ToList();
        Assert.Equal(["cron", "mondays", "nightly", "often"], names);

        var triggered = TaskId.Parse((await cli.RunOkAsync("schedules", "trigger", "nightly")).Stdout);
        Assert.Equal("""{"n":1}""", (await cli.RunOkAsync("wait", triggered.ToString())).Stdout);
        Assert.Equal("paused nightly", (await cli.RunOkAsync("schedules", "pause", "nightly")).Stdout);
        Assert.True((await cli.Client.Schedules.GetAsync("nightly"))!.Paused);
        Assert.Equal("resumed nightly", (await cli.RunOkAsync("schedules", "resume", "nightly")).Stdout);
        Assert.Contains("triggers         1", (await cli.RunOkAsync("schedules", "get", "nightly")).Stdout, StringComparison.Ordinal);
        Assert.Equal("removed nightly", (await cli.RunOkAsync("schedules", "remove", "nightly")).Stdout);
        Assert.Null(await cli.Client.Schedules.GetAsync("nightly"));

        await cli.AssertRefusedAsync(3, "no schedule 'nightly'", "schedules", "remove", "nightly");
        await cli.AssertRefusedAsync(3, "no schedule 'nightly'", "schedules", "get", "nightly");
        await cli.AssertRefusedAsync(3, "no schedule 'nightly'", "schedules", "trigger", "nightly");
        await cli.AssertRefusedAsync(2, "exactly one timing", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--every", "5", "--daily", "01:00");
        await cli.AssertRefusedAsync(2, "exactly one timing", "schedules", "add", "x", "dtq.noop", "-q", "sched");
        await cli.AssertRefusedAsync(2, "Nowhere/City", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--daily", "01:00", "--tz", "Nowhere/City");
        await cli.AssertRefusedAsync(2, "has 3 fields", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--cron", "* * *");
        await cli.AssertRefusedAsync(2, "HH:MM", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--daily", "25:00");
        await cli.AssertRefusedAsync(2, "\"Mon 09:30\"", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--weekly", "Someday 09:30");
        await cli.AssertRefusedAsync(2, "all:N", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--every", "5", "--misfire", "all:0");
        await cli.AssertRefusedAsync(2, "--tz applies", "schedules", "add", "x", "dtq.noop", "-q", "sched", "--every", "5", "--tz", "UTC");
        Assert.Null(await cli.Client.Schedules.GetAsync("x"));
    }
}
