using System.CommandLine;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary>Arguments several verbs share, parsed once so every verb refuses the same bad input the same way.</summary>
internal static class CommonArguments
{
    public static Argument<TaskId> TaskId() => new("id")
    {
        Description = "Task id, as submit printed it (queue:partition:sequence)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            // A partition number no queue can have (0-255) names no task: refused as input, like any malformed id.
            if (DistributedTaskQueue.TaskId.TryParse(text, out var id) && id.Partition <= 255) return id;
            result.AddError($"'{text}' is not a task id (queue:partition:sequence).");
            return default;
        },
    };

    public static Argument<string> Queue() => new("queue") { Description = "Queue name" };

    public static Option<string?> QueueOption() => new("--queue", "-q") { Description = "Queue (default: TaskQueue__DefaultQueue, else default)" };

    public static Option<TimeSpan> Timeout(string description, TimeSpan defaultValue) => new("--timeout")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = Durations.ParseArgument,
    };
}
