using System.CommandLine;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary><c>dtq stats|pause|resume QUEUE</c>: a queue's counts summed over its partitions, and holding workers off it.</summary>
internal static class QueueCommands
{
    public static Command Stats()
    {
        var queue = new Argument<string?>("queue") { Description = "Queue name (default: TaskQueue__DefaultQueue, else default)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("stats", "A queue's counts: pending by priority, delayed, running, succeeded, failed, dead letters, paused") { queue };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var stats = await client.GetQueueStatsAsync(session.Get(queue));
            session.Output.Write(stats, w => CliOutput.Rows(w,
                ("queue", stats.Queue),
                ("pending", $"{stats.Pending} (critical {stats.PendingOf(TaskPriority.Critical)}, high {stats.PendingOf(TaskPriority.High)}, normal {stats.PendingOf(TaskPriority.Normal)}, low {stats.PendingOf(TaskPriority.Low)})"),
                ("delayed", stats.Delayed),
                ("running", stats.Running),
                ("succeeded", stats.Succeeded),
                ("failed", stats.Failed),
                ("dead letters", stats.DeadLettered),
                ("cancelled", stats.Cancelled),
                ("paused", stats.Paused ? "yes" : "no")));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Pause() => Switch("pause", "Hold workers off a queue; submits are still accepted and wait", paused: true);

    public static Command Resume() => Switch("resume", "Let workers back onto a paused queue", paused: false);

    private static Command Switch(string name, string description, bool paused)
    {
        var queue = CommonArguments.Queue();
        var command = new Command(name, description) { queue };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var target = session.Get(queue)!;
            if (paused) await client.PauseQueueAsync(target);
            else await client.ResumeQueueAsync(target);
            session.Output.Write(new { queue = target, paused }, w => w.WriteLine(paused ? $"paused {target}" : $"resumed {target}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
