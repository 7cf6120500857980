namespace DistributedTaskQueue;

/// <summary>Runs tasks by name with JSON in and JSON out: one handler for many task names.</summary>
public interface IRawTaskHandler
{
    /// <summary>Whether this handler takes tasks of that name.</summary>
    bool CanHandle(string taskName);

    /// <summary>
    /// Every name <see cref="CanHandle"/> accepts, when the handler can list them; null (the default) means
    /// open-ended, and then the cluster cannot refuse unknown task names at submit.
    /// </summary>
    IReadOnlyCollection<string>? TaskNames => null;

    /// <summary>Runs one attempt and returns the result as JSON.</summary>
    Task<string> HandleAsync(string taskName, string payloadJson, TaskContext context, CancellationToken cancellationToken);
}
