using System.CommandLine;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary>
/// <c>dtq queues</c>, <c>dtq stats|pause|resume QUEUE</c> and <c>dtq purge QUEUE --yes</c>: the cluster's queues, a queue's
/// counts summed over its partitions, holding workers off it, and cancelling everything that waits in it.
/// </summary>
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
                ("paused", stats.Paused ? "yes" : "no"),
                ("oldest pending since", stats.OldestPendingSince is { } since ? since.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "-"),
                ("last 10 minutes", LastMinutes(stats.Recent))));
            return ExitCodes.Ok;
        });
        return command;
    }

    // The stats page's chart in one line: what the window's buckets add up to.
    private static string LastMinutes(IReadOnlyList<ThroughputBucket> recent) =>
        $"submitted {recent.Sum(b => b.Submitted)}, succeeded {recent.Sum(b => b.Succeeded)}, failed attempts {recent.Sum(b => b.Failed)}";

    public static Command Queues()
    {
        var command = new Command("queues", "Every queue that ever held a task or that a worker serves, with its counts");
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var queues = await client.ListQueuesAsync();
            session.Output.Write(queues, w => WriteTable(w, queues));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Purge()
    {
        var queue = CommonArguments.Queue();
        var taskName = new Option<string?>("--task-name") { Description = "Cancel only tasks of this task name" };
        var yes = new Option<bool>("--yes") { Description = "Yes, cancel them (purge refuses without it)" };
        var command = new Command("purge", "Cancel every pending and delayed task of a queue (running tasks go on); needs --yes") { queue, taskName, yes };
        command.SetSessionAction(async session =>
        {
            var target = session.Get(queue)!;
            // Refused before connecting: one forgotten flag must not empty a queue.
            if (!session.Get(yes)) throw new CliException(ExitCodes.InvalidInput, $"purge cancels every pending and delayed task of {target}; add --yes to do it");
            var client = await session.ClientAsync();
            var purged = await client.PurgeQueueAsync(target, session.Get(taskName));
            session.Output.Write(new { purged }, w => w.WriteLine($"cancelled {purged} task(s) of {target}"));
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

    private static void WriteTable(TextWriter writer, IReadOnlyList<QueueSummary> queues)
    {
        string[] header = ["queue", "pending", "delayed", "running", "dead letters", "paused"];
        var rows = queues.Select(q => new[]
        {
            q.Queue, CliOutput.Format(q.Stats.Pending), CliOutput.Format(q.Stats.Delayed), CliOutput.Format(q.Stats.Running),
            CliOutput.Format(q.Stats.DeadLettered), q.Stats.Paused ? "yes" : "no",
        }).Prepend(header).ToList();
        var widths = header.Select((_, column) => rows.Max(r => r[column].Length)).ToArray();
        foreach (var row in rows)
        {
            // The name left-aligned, the counts right-aligned under their headings.
            var cells = row.Select((cell, column) => column == 0 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]));
            writer.WriteLine(string.Join("  ", cells).TrimEnd());
        }
        writer.WriteLine($"{queues.Count} queue(s)");
    }
}
