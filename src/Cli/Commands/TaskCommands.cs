using System.CommandLine;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary><c>dtq status|wait|cancel ID</c>: one task, found straight from its id (the id names the partition that owns it).</summary>
internal static class TaskCommands
{
    public static Command Status()
    {
        var id = CommonArguments.TaskId();
        var command = new Command("status", "Show a task: state, attempts, times, worker, result or errors") { id };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var info = await client.GetTaskAsync(Served(session.Get(id), client)) ?? throw NoSuchTask(session.Get(id));
            session.Output.Write(info, w => TaskText.Write(w, info));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Wait()
    {
        var id = CommonArguments.TaskId();
        var timeout = CommonArguments.Timeout("How long to wait (e.g. 30s, 5m)", TimeSpan.FromSeconds(30));
        var command = new Command("wait", "Wait for a task to finish and print its result (exit 1 if it failed or was cancelled, 5 on timeout, 4 if its partition stayed unreachable until the timeout)") { id, timeout };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var info = await client.WaitAsync(Served(session.Get(id), client), session.Get(timeout), session.Cancellation);
            session.Output.Write(info, w => w.WriteLine(info.ResultJson ?? "null"));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Cancel()
    {
        var id = CommonArguments.TaskId();
        var command = new Command("cancel", "Cancel a pending, delayed or running task (exit 1 if it had already finished)") { id };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var taskId = Served(session.Get(id), client);
            if (await client.CancelAsync(taskId))
            {
                session.Output.Write(new { cancelled = true }, w => w.WriteLine($"cancelled {taskId}"));
                return ExitCodes.Ok;
            }
            // Cancel answers false for an unknown task and for a finished one; only the first is "not found".
            var info = await client.GetTaskAsync(taskId) ?? throw NoSuchTask(taskId);
            session.Output.Write(new { cancelled = false, state = info.State }, w => w.WriteLine($"not cancelled: {taskId} is {info.State}"));
            return ExitCodes.TaskFailed;
        });
        return command;
    }

    /// <summary>An id naming a partition past the deployment's PartitionsPerQueue names no task (and wakes no grain), as in the JSON API.</summary>
    private static TaskId Served(TaskId id, TaskClient client) =>
        id.Partition < client.Options.PartitionsPerQueue ? id : throw NoSuchTask(id);

    private static CliException NoSuchTask(TaskId id) => new(ExitCodes.NotFound, $"no task {id} (never submitted, or past its retention)");
}
