using System.CommandLine;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary><c>dtq dead list|retry|purge QUEUE</c>: tasks that used up their retries, with their last errors.</summary>
internal static class DeadLetterCommands
{
    public static Command Create()
    {
        var command = new Command("dead", "Dead letters: list, retry or purge them");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Retry());
        command.Subcommands.Add(Purge());
        return command;
    }

    private static Command List()
    {
        var queue = CommonArguments.Queue();
        var limit = new Option<int>("--limit") { Description = "At most this many (1-10000)", DefaultValueFactory = _ => 100 };
        limit.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > 10_000) result.AddError($"--limit must be 1-10000, was {value}.");
        });
        var command = new Command("list", "List a queue's dead letters with their last error") { queue, limit };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var dead = await client.ListDeadLettersAsync(session.Get(queue)!, session.Get(limit));
            session.Output.Write(dead, w =>
            {
                foreach (var task in dead)
                    w.WriteLine($"{task.Id}  {task.TaskName}  attempts {task.Attempts}  {CliOutput.Format(task.FinishedAt)}  {task.LastError?.Message}");
                w.WriteLine($"{dead.Count} dead letter(s)");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Retry()
    {
        var queue = CommonArguments.Queue();
        var id = new Option<string?>("--id") { Description = "Retry only this task (queue:partition:sequence)" };
        var taskName = new Option<string?>("--task-name") { Description = "Retry only dead letters of this task name" };
        var command = new Command("retry", "Queue dead letters again with fresh attempts (all of the queue's, one --id, or one --task-name)") { queue, id, taskName };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var target = session.Get(queue)!;
            int retried;
            if (session.Get(id) is { } text)
            {
                if (session.Get(taskName) is not null) throw new CliException(ExitCodes.InvalidInput, "give --id or --task-name, not both");
                if (!TaskId.TryParse(text, out var taskId) || taskId.Queue != target)
                    throw new CliException(ExitCodes.InvalidInput, $"'{text}' is not a task id of queue {target}");
                retried = await client.RetryDeadLetterAsync(taskId) ? 1 : 0;
                if (retried == 0) throw new CliException(ExitCodes.NotFound, $"{taskId} is not a dead letter");
            }
            else
            {
                retried = await client.RetryDeadLettersAsync(target, session.Get(taskName));
            }
            session.Output.Write(new { retried }, w => w.WriteLine($"retried {retried} dead letter(s)"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Purge()
    {
        var queue = CommonArguments.Queue();
        var taskName = new Option<string?>("--task-name") { Description = "Purge only dead letters of this task name" };
        var command = new Command("purge", "Delete a queue's dead letters for good") { queue, taskName };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var purged = await client.PurgeDeadLettersAsync(session.Get(queue)!, session.Get(taskName));
            session.Output.Write(new { purged }, w => w.WriteLine($"purged {purged} dead letter(s)"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
