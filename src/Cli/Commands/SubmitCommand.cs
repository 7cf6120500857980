using System.CommandLine;
using System.Globalization;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary><c>dtq submit</c>: one task (payload from the argument, <c>--file</c>, or stdin with <c>-</c>), or many from JSON lines.</summary>
internal static class SubmitCommand
{
    private static readonly Argument<string> TaskName = new("task-name") { Description = "The task's stable name, e.g. dtq.echo" };

    private static readonly Argument<string?> Payload = new("payload")
    {
        Description = "JSON payload; '-' reads it from stdin (default: {})",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<FileInfo?> File = new("--file", "-f") { Description = "Read the JSON payload from this file" };

    private static readonly Option<string?> Lines = new("--lines")
    {
        Description = "Submit one task per line of this JSON-lines file ('-' for stdin), in batches, with progress and a final rate",
    };

    private static readonly Option<TaskPriority?> Priority = new("--priority", "-p") { Description = "Low, Normal, High or Critical" };

    private static readonly Option<TimeSpan?> Delay = new("--delay") { Description = "Run no sooner than this from now (e.g. 30s, 5m)", CustomParser = Durations.ParseOptional };

    private static readonly Option<DateTimeOffset?> At = new("--at") { Description = "Run no sooner than this time (ISO 8601, e.g. 2026-12-24T18:00:00Z)" };

    private static readonly Option<int?> MaxRetries = new("--max-retries") { Description = "Retries after the first attempt (default: the cluster's retry policy)" };

    private static readonly Option<TimeSpan?> TaskTimeout = new("--task-timeout") { Description = "Timeout of one attempt (e.g. 30s)", CustomParser = Durations.ParseOptional };

    private static readonly Option<string?> Key = new("--key") { Description = "Idempotency key: a repeat with the same key returns the first task's id" };

    private static readonly Option<bool> Wait = new("--wait", "-w") { Description = "Wait for the task to finish and print its result" };

    private static readonly Option<TimeSpan> WaitTimeout = CommonArguments.Timeout("How long --wait waits (e.g. 30s, 5m)", TimeSpan.FromSeconds(30));

    private static readonly Option<string?> Queue = CommonArguments.QueueOption();

    public static Command Create()
    {
        var command = new Command("submit", "Submit a task; prints its id (with --wait, its result)");
        command.Arguments.Add(TaskName);
        command.Arguments.Add(Payload);
        foreach (var option in new Option[] { Queue, File, Lines, Priority, Delay, At, MaxRetries, TaskTimeout, Key, Wait, WaitTimeout })
            command.Options.Add(option);
        command.SetSessionAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliSession session)
    {
        var taskName = session.Get(TaskName)!;
        var queue = session.Get(Queue);
        if (session.Get(Lines) is { } lines)
        {
            if (session.Get(Payload) is not null || session.Get(File) is not null)
                throw new CliException(ExitCodes.InvalidInput, "--lines takes each payload from its file; give no payload argument or --file with it");
            if (session.Get(Key) is not null)
                throw new CliException(ExitCodes.InvalidInput, "--key names one task; --lines submits many");
            CheckTiming(session);
            var bulkClient = await session.ClientAsync();
            return await BulkSubmit.RunAsync(session, bulkClient, taskName, queue, OptionsFrom(session, bulkClient.Options.DefaultRetry), lines);
        }
        CheckTiming(session);
        var payload = await ReadPayloadAsync(session);
        var client = await session.ClientAsync();
        var id = await client.SubmitAsync(taskName, payload, queue, OptionsFrom(session, client.Options.DefaultRetry));
        if (!session.Get(Wait))
        {
            session.Output.Write(new { id = id.ToString() }, w => w.WriteLine(id.ToString()));
            return ExitCodes.Ok;
        }
        // The id first, so a wait that fails or times out still tells the caller which task to look at.
        if (!session.Output.Json) Console.Out.WriteLine(id.ToString());
        var info = await client.WaitAsync(id, session.Get(WaitTimeout), session.Cancellation);
        session.Output.Write(info, w => w.WriteLine(info.ResultJson ?? "null"));
        return ExitCodes.Ok;
    }

    private static void CheckTiming(CliSession session)
    {
        if (session.Get(Delay) is not null && session.Get(At) is not null)
            throw new CliException(ExitCodes.InvalidInput, "give --delay or --at, not both");
    }

    private static TaskOptions OptionsFrom(CliSession session, RetryPolicy clusterRetry)
    {
        var maxRetries = session.Get(MaxRetries);
        return new TaskOptions
        {
            Priority = session.Get(Priority),
            Delay = session.Get(Delay),
            NotBefore = session.Get(At),
            Timeout = session.Get(TaskTimeout),
            IdempotencyKey = session.Get(Key),
            // Only the count is the caller's; delays, backoff and jitter stay the cluster's defaults.
            Retry = maxRetries is { } retries ? clusterRetry with { MaxRetries = retries } : null,
        };
    }

    private static async Task<string> ReadPayloadAsync(CliSession session)
    {
        var argument = session.Get(Payload);
        var file = session.Get(File);
        if (argument is not null && file is not null)
            throw new CliException(ExitCodes.InvalidInput, "give the payload as an argument or with --file, not both");
        if (file is not null)
        {
            if (!file.Exists) throw new CliException(ExitCodes.InvalidInput, string.Create(CultureInfo.InvariantCulture, $"no such file: {file.FullName}"));
            return await System.IO.File.ReadAllTextAsync(file.FullName, session.Cancellation);
        }
        if (argument == "-") return await Console.In.ReadToEndAsync(session.Cancellation);
        return argument ?? "{}";
    }
}
