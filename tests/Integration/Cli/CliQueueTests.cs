using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Cli;

/// <summary>dtq's queue verbs as a process against a silo process: bulk submit, stats, pause/resume, dead letters.</summary>
[Collection(RedisGroup.Name)]
public sealed class CliQueueTests(RedisFixture fixture)
{
    [Fact]
    public async Task BulkSubmit_FromJsonLines_SubmitsEveryLine_AndStopsAtABadLineNamingIt()
    {
        var cli = await CliCluster.StartAsync(fixture.Redis, "bulk");
        await using var _ = cli;
        var file = Path.GetTempFileName();
        try
        {
            // 2,001 lines with a blank one among them: 2,000 tasks, in batches of 500.
            var lines = Enumerable.Range(0, 2_000).Select(i => $$"""{"i":{{i}}}""").ToList();
            lines.Insert(700, "");
            await File.WriteAllLinesAsync(file, lines);
            var bulk = JsonDocument.Parse((await cli.RunOkAsync("--json", "submit", "dtq.echo", "--lines", file, "-q", "bulk")).Stdout).RootElement;
            Assert.Equal(2_000, bulk.GetProperty("submitted").GetInt64());
            var first = TaskId.Parse(bulk.GetProperty("firstId").GetString()!);
            var last = TaskId.Parse(bulk.GetProperty("lastId").GetString()!);
            Assert.Equal(1_999, last.Sequence - first.Sequence);
            Assert.Equal(1_999, (await cli.Client.WaitForResultAsync<JsonElement>(last, TimeSpan.FromSeconds(60))).GetProperty("i").GetInt32());
            Assert.Equal(0, (await cli.Client.WaitForResultAsync<JsonElement>(first, TimeSpan.FromSeconds(60))).GetProperty("i").GetInt32());

            // From stdin, the fourth line broken: three submitted, exit 2 naming line 4.
            var broken = await cli.RunAsync(["submit", "dtq.echo", "--lines", "-", "-q", "bulk"], "{\"i\":1}\n{\"i\":2}\n{\"i\":3}\n{oops\n{\"i\":5}\n");
            Assert.True(broken.ExitCode == 2, broken.ToString());
            Assert.Contains("line 4 is not JSON", broken.Stderr, StringComparison.Ordinal);
            Assert.Contains("the 3 tasks before it were submitted", broken.Stderr, StringComparison.Ordinal);
            var stats = await cli.Client.GetQueueStatsAsync("bulk");
            Assert.Equal(2_003, stats.Pending + stats.Running + stats.Succeeded);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task PauseResumeStats_AndDeadLetters_ListRetryPurge_ThroughTheTool()
    {
        var cli = await CliCluster.StartAsync(fixture.Redis, "ops");
        await using var _ = cli;

        Assert.Equal("paused ops", (await cli.RunOkAsync("pause", "ops")).Stdout);
        var held = TaskId.Parse((await cli.RunOkAsync("submit", "dtq.noop", "-q", "ops")).Stdout);
        var stats = JsonDocument.Parse((await cli.RunOkAsync("--json", "stats", "ops")).Stdout).RootElement;
        Assert.True(stats.GetProperty("paused").GetBoolean());
        Assert.Equal(1, stats.GetProperty("pendingByPriority")[(int)TaskPriority.Normal].GetInt64());
        var text = (await cli.RunOkAsync("stats", "ops")).Stdout;
        Assert.Matches(@"oldest pending since\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", text);
        Assert.Matches(@"last 10 minutes\s+submitted 1, succeeded 0, failed attempts 0", text);
        Assert.Equal(TaskState.Pending, (await cli.Client.GetTaskAsync(held))!.State);
        Assert.Equal("resumed ops", (await cli.RunOkAsync("resume", "ops")).Stdout);
        Assert.Equal("null", (await cli.RunOkAsync("wait", held.ToString())).Stdout);

        // A task that throws (a payload dtq.sleep cannot read) with no retries: dead-lettered, waiting on it exits 1.
        string[] failing = ["submit", "dtq.sleep", """{"milliseconds":"x"}""", "-q", "ops", "--max-retries", "0"];
        var dead = TaskId.Parse((await cli.RunOkAsync(failing)).Stdout);
        var other = TaskId.Parse((await cli.RunOkAsync(failing)).Stdout);
        Assert.Equal(1, (await cli.RunAsync("wait", dead.ToString())).ExitCode);
        Assert.Equal(1, (await cli.RunAsync("wait", other.ToString())).ExitCode);

        var listed = JsonDocument.Parse((await cli.RunOkAsync("--json", "dead", "list", "ops")).Stdout).RootElement;
        Assert.Equal([dead.ToString(), other.ToString()], listed.EnumerateArray().Select(t => t.GetProperty("id").GetString()).Order());
        Assert.All(listed.EnumerateArray(), t => Assert.Equal(1, t.GetProperty("errors").GetArrayLength()));

        // Retry one by id: it runs again (attempt 2) and fails again.
        Assert.Equal("retried 1 dead letter(s)", (await cli.RunOkAsync("dead", "retry", "ops", "--id", dead.ToString())).Stdout);
        await cli.AssertRefusedAsync(3, "is not a dead letter", "dead", "retry", "ops", "--id", held.ToString());
        await cli.AssertRefusedAsync(2, "not a task id of queue ops", "dead", "retry", "ops", "--id", "elsewhere:0:1");
        var rerun = await cli.Client.GetTaskAsync(dead);
        for (var i = 0; i < 100 && rerun!.State != TaskState.DeadLettered; i++)
        {
            await Task.Delay(100);
            rerun = await cli.Client.GetTaskAsync(dead);
        }
        Assert.Equal(TaskState.DeadLettered, rerun!.State);
        Assert.Equal(2, rerun.Errors.Count);

        // A blank --task-name is a mistake, not "all" and not "none": refused, and the dead letters are still there.
        await cli.AssertRefusedAsync(2, "must not be empty", "dead", "purge", "ops", "--task-name", " ");
        await cli.AssertRefusedAsync(2, "must not be empty", "dead", "retry", "ops", "--task-name", "");
        Assert.Equal("purged 2 dead letter(s)", (await cli.RunOkAsync("dead", "purge", "ops")).Stdout);
        Assert.Equal("0 dead letter(s)", (await cli.RunOkAsync("dead", "list", "ops")).Stdout);
        await cli.AssertRefusedAsync(2, "--limit must be 1-10000", "dead", "list", "ops", "--limit", "0");
    }

    [Fact]
    public async Task Queues_ListsEveryQueueWithItsCounts_AndPurge_CancelsWhatWaits_OnlyWithYes()
    {
        var cli = await CliCluster.StartAsync(fixture.Redis, "served");
        await using var _ = cli;
        await cli.Client.SubmitBatchAsync("dtq.noop", ["{}", "{}", "{}"], "waiting");
        var delayed = await cli.Client.SubmitAsync("dtq.echo", "{}", "waiting", new TaskOptions { Delay = TimeSpan.FromHours(1) });
        await cli.Client.PauseQueueAsync("waiting");

        var json = JsonDocument.Parse((await cli.RunOkAsync("--json", "queues")).Stdout).RootElement;
        var table = (await cli.RunOkAsync("queues")).Stdout.Split('\n');

        Assert.Equal(["served", "waiting"], json.EnumerateArray().Select(q => q.GetProperty("queue").GetString()));
        var waiting = json[1].GetProperty("stats");
        Assert.Equal(1, waiting.GetProperty("delayed").GetInt64());
        Assert.True(waiting.GetProperty("paused").GetBoolean());
        Assert.Equal(["queue", "pending", "delayed", "running", "dead", "letters", "paused"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["waiting", "3", "1", "0", "0", "yes"], table[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("2 queue(s)", table[^1]);

        await cli.AssertRefusedAsync(2, "add --yes", "purge", "waiting");
        Assert.Equal(3, (await cli.Client.GetQueueStatsAsync("waiting")).Pending);
        Assert.Equal("cancelled 1 task(s) of waiting", (await cli.RunOkAsync("purge", "waiting", "--task-name", "dtq.echo", "--yes")).Stdout);
        Assert.Equal(TaskState.Cancelled, (await cli.Client.GetTaskAsync(delayed))!.State);
        var purged = JsonDocument.Parse((await cli.RunOkAsync("--json", "purge", "waiting", "--yes")).Stdout).RootElement;
        Assert.Equal(3, purged.GetProperty("purged").GetInt32());
        Assert.Equal(4, (await cli.Client.GetQueueStatsAsync("waiting")).Cancelled);
    }
}
