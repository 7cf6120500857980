using System.CommandLine;
using DistributedTaskQueue.Cli.Commands;

namespace DistributedTaskQueue.Cli;

/// <summary>The verb tree; the README's "Command line" section shows one example of each.</summary>
internal static class DtqCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("dtq: submit, inspect, wait for, cancel and schedule the tasks of a running task-queue cluster.");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(TaskCommands.Status());
        root.Subcommands.Add(TaskCommands.Wait());
        root.Subcommands.Add(TaskCommands.Cancel());
        root.Subcommands.Add(QueueCommands.Queues());
        root.Subcommands.Add(QueueCommands.Stats());
        root.Subcommands.Add(QueueCommands.Pause());
        root.Subcommands.Add(QueueCommands.Resume());
        root.Subcommands.Add(QueueCommands.Purge());
        root.Subcommands.Add(DeadLetterCommands.Create());
        root.Subcommands.Add(ScheduleCommands.Create());
        return root;
    }
}
