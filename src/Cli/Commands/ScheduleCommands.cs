using System.CommandLine;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary><c>dtq schedules list|get|add|remove|pause|resume|trigger</c>: recurring and one-off schedules by name.</summary>
internal static class ScheduleCommands
{
    public static Command Create()
    {
        var command = new Command("schedules", "Schedules: list, show, add (or replace), remove, pause, resume, trigger now");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(ScheduleAddCommand.Create());
        command.Subcommands.Add(Verb("remove", "Delete a schedule (tasks it already submitted stay)", (s, id) => s.RemoveAsync(id), "removed"));
        command.Subcommands.Add(Verb("pause", "Stop a schedule firing until it is resumed", (s, id) => s.PauseAsync(id), "paused"));
        command.Subcommands.Add(Verb("resume", "Let a paused schedule fire again (its misfire policy covers what it missed)", (s, id) => s.ResumeAsync(id), "resumed"));
        command.Subcommands.Add(Trigger());
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The schedule's name (its id)" };

    private static Command List()
    {
        var pageSize = new Option<int>("--page-size") { Description = "Schedules per page (1-1000)", DefaultValueFactory = _ => 100 };
        pageSize.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > 1000) result.AddError($"--page-size must be 1-1000, was {value}.");
        });
        var pageToken = new Option<string?>("--page-token") { Description = "Start after the page this token came from (printed after each page)" };
        var all = new Option<bool>("--all") { Description = "Every page, not only the first" };
        var command = new Command("list", "List schedules with their next and last runs, a page at a time") { pageSize, pageToken, all };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var schedules = new List<ScheduleInfo>();
            string? token = session.Get(pageToken);
            do
            {
                var page = await client.Schedules.ListAsync(session.Get(pageSize), token);
                schedules.AddRange(page.Schedules);
                token = page.NextPageToken;
            }
            while (session.Get(all) && token is not null);
            session.Output.Write(new { schedules = schedules.Select(ScheduleView.Of), nextPageToken = token }, w =>
            {
                foreach (var s in schedules)
                    w.WriteLine($"{s.Id}  {ScheduleText.Timing(s.Definition.Kind)}  -> {s.Definition.Queue}  next {CliOutput.Format(s.NextRun)}{(s.Paused ? "  (paused)" : "")}");
                w.WriteLine(token is null ? $"{schedules.Count} schedule(s)" : $"{schedules.Count} schedule(s); more with --page-token {token}");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get()
    {
        var name = Name();
        var command = new Command("get", "Show a schedule: definition, next and last run, last task and its state, counts, recent fires") { name };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var info = await client.Schedules.GetAsync(new ScheduleId(session.Get(name)!)) ?? throw NoSuchSchedule(session.Get(name)!);
            session.Output.Write(ScheduleView.Of(info), w => ScheduleText.Write(w, info));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Verb(string verb, string description, Func<TaskSchedules, ScheduleId, Task<bool>> act, string done)
    {
        var name = Name();
        var command = new Command(verb, description) { name };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var id = new ScheduleId(session.Get(name)!);
            if (!await act(client.Schedules, id)) throw NoSuchSchedule(id.Name);
            session.Output.Write(new { name = id.Name, done }, w => w.WriteLine($"{done} {id.Name}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Trigger()
    {
        var name = Name();
        var command = new Command("trigger", "Submit the schedule's task now, outside its timing (prints the task id)") { name };
        command.SetSessionAction(async session =>
        {
            var client = await session.ClientAsync();
            var id = new ScheduleId(session.Get(name)!);
            var taskId = await client.Schedules.TriggerAsync(id) ?? throw NoSuchSchedule(id.Name);
            session.Output.Write(new { id = taskId.ToString() }, w => w.WriteLine(taskId.ToString()));
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static CliException NoSuchSchedule(string name) => new(ExitCodes.NotFound, $"no schedule '{name}'");
}
