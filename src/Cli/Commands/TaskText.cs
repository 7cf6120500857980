namespace DistributedTaskQueue.Cli.Commands;

/// <summary>A task as people read it: one aligned row per field, then its errors newest first.</summary>
internal static class TaskText
{
    public static void Write(TextWriter writer, TaskInfo info)
    {
        CliOutput.Rows(writer,
            ("id", info.Id),
            ("task", info.TaskName),
            ("state", info.State),
            ("priority", info.Priority),
            ("attempts", info.Attempts),
            ("enqueued", info.EnqueuedAt),
            ("not before", info.NotBefore),
            ("started", info.StartedAt),
            ("finished", info.FinishedAt),
            ("worker", info.Worker),
            ("result", info.ResultJson));
        foreach (var error in info.Errors)
            writer.WriteLine($"error     attempt {error.Attempt}: {error.Message}");
    }
}
