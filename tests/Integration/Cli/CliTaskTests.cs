using System.Text.Json;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Cli;

/// <summary>The dtq tool as a process against a silo process, meeting only through Redis: tasks one at a time.</summary>
[Collection(RedisGroup.Name)]
public sealed class CliTaskTests(RedisFixture fixture)
{
    [Fact]
    public async Task SubmitStatusWaitCancel_WorkThroughTheTool_WithTheDocumentedExitCodes()
    {
        var cli = await CliCluster.StartAsync(fixture.Redis, "cli");
        await using var _ = cli;

        // A payload as an argument, waited for: the id, then the result.
        var submitted = await cli.RunAsync("submit", "dtq.echo", """{"a":1}""", "-q", "cli", "--wait");
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var lines = submitted.Stdout.Split('\n');
        var id = TaskId.Parse(lines[0]);
        Assert.Equal("cli", id.Queue);
        Assert.Equal("""{"a":1}""", lines[1]);

        var status = JsonDocument.Parse((await cli.RunOkAsync("--json", "status", id.ToString())).Stdout).RootElement;
        Assert.Equal("Succeeded", status.GetProperty("state").GetString());
        Assert.Equal("dtq.echo", status.GetProperty("taskName").GetString());
        Assert.Equal(1, status.GetProperty("attempts").GetInt32());

        // From stdin, with a priority; from a file.
        var fromStdin = TaskId.Parse((await cli.RunOkAsync(["submit", "dtq.echo", "-", "-q", "cli", "-p", "Critical"], stdin: """{"from":"stdin"}""")).Stdout);
        Assert.Equal("""{"from":"stdin"}""", (await cli.RunOkAsync("wait", fromStdin.ToString())).Stdout);
        Assert.Equal("Critical", JsonDocument.Parse((await cli.RunOkAsync("--json", "status", fromStdin.ToString())).Stdout).RootElement.GetProperty("priority").GetString());
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{"from":"file"}""");
            var fromFile = TaskId.Parse((await cli.RunOkAsync("submit", "dtq.echo", "--file", file, "-q", "cli")).Stdout);
            Assert.Equal("""{"from":"file"}""", (await cli.RunOkAsync("wait", fromFile.ToString())).Stdout);
        }
        finally
        {
            File.Delete(file);
        }

        // Cancel a delayed task once (0), then again (1: it has finished), and waiting on it says it was cancelled (1).
        var delayed = TaskId.Parse((await cli.RunOkAsync("submit", "dtq.noop", "-q", "cli", "--delay", "1h")).Stdout);
        Assert.Equal($"cancelled {delayed}", (await cli.RunOkAsync("cancel", delayed.ToString())).Stdout);
        var again = await cli.RunAsync("cancel", delayed.ToString());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("Cancelled", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await cli.RunAsync("wait", delayed.ToString())).ExitCode);

        // A wait that ends first: 5, and the task goes on. The task sleeps far longer than a tool process takes to
        // start on a loaded machine (a 3 s sleep once finished before the second process had connected).
        var slow = TaskId.Parse((await cli.RunOkAsync("submit", "dtq.sleep", """{"milliseconds":120000}""", "-q", "cli")).Stdout);
        var timedOut = await cli.RunAsync("wait", slow.ToString(), "--timeout", "300ms");
        Assert.True(timedOut.ExitCode == 5, timedOut.ToString());
        var goesOn = JsonDocument.Parse((await cli.RunOkAsync("--json", "status", slow.ToString())).Stdout).RootElement.GetProperty("state").GetString();
        Assert.True(goesOn is "Pending" or "Running", $"the task is {goesOn} after the wait timed out");
        Assert.Equal($"cancelled {slow}", (await cli.RunOkAsync("cancel", slow.ToString())).Stdout);
        Assert.Equal(1, (await cli.RunAsync("wait", slow.ToString(), "--timeout", "30s")).ExitCode);

        // Refusals: one line on stderr each, and nothing submitted by them.
        var before = await cli.Client.GetQueueStatsAsync("cli");
        await cli.AssertRefusedAsync(3, "no task cli:0:5", "status", "cli:0:5");
        await cli.AssertRefusedAsync(3, "no task cli:3:5", "wait", "cli:3:5"); // the queue has one partition
        await cli.AssertRefusedAsync(2, "is not a task id", "status", "not-an-id");
        await cli.AssertRefusedAsync(2, "well-formed JSON", "submit", "dtq.echo", "{bad", "-q", "cli");
        await cli.AssertRefusedAsync(2, "dtq.nosuch", "submit", "dtq.nosuch", "-q", "cli");
        await cli.AssertRefusedAsync(2, "--delay or --at", "submit", "dtq.noop", "-q", "cli", "--delay", "1m", "--at", "2030-01-01T00:00:00Z");
        await cli.AssertRefusedAsync(2, "'Urgent'", "submit", "dtq.noop", "-q", "cli", "-p", "Urgent");
        await cli.AssertRefusedAsync(2, "not a duration", "wait", id.ToString(), "--timeout", "soon");
        var after = await cli.Client.GetQueueStatsAsync("cli");
        Assert.Equal(before.Pending + before.Delayed + before.Running + before.Succeeded + before.Cancelled,
            after.Pending + after.Delayed + after.Running + after.Succeeded + after.Cancelled);

        // A cluster nobody runs: 4, within the connect timeout.
        var nobody = await DtqProcess.RunAsync(["stats", "cli", "--redis", fixture.Redis.ConnectionString, "--cluster-id", "nobody-here", "--connect-timeout", "3s"]);
        Assert.True(nobody.ExitCode == 4, nobody.ToString());
        Assert.Single(nobody.Stderr.Split('\n'));
    }
}
