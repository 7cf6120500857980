using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Refuses at submit a task name that no connected worker handles (the task catalog says which). The catalog is
/// cached (30 s once known, 1 s while empty) and read again before refusing, so a handler deployed a moment ago
/// is not refused; a catalog that cannot be read refuses nothing. <paramref name="readCatalog"/> reads the catalog
/// grain (a function, so the caching rules are tested without a cluster).
/// </summary>
internal sealed partial class TaskNameGate(Func<Task<TaskCatalog>> readCatalog, TimeProvider time, ILogger logger)
{
    /// <summary>How long a catalog that names workers is trusted.</summary>
    public static readonly TimeSpan KnownMaxAge = TimeSpan.FromSeconds(30);
    /// <summary>How long a catalog with no workers is trusted (workers are starting).</summary>
    public static readonly TimeSpan EmptyMaxAge = TimeSpan.FromSeconds(1);
    private TaskCatalog _catalog = TaskCatalog.Unknown;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    /// <exception cref="InvalidTaskException">Some task's name is handled by no connected worker.</exception>
    public async Task CheckAsync(TaskSubmission[] tasks)
    {
        var maxAge = _catalog.Workers == 0 ? EmptyMaxAge : KnownMaxAge;
        if (time.GetUtcNow() - _fetchedAt > maxAge) await RefreshAsync();
        if (tasks.All(t => _catalog.MayHandle(t.TaskName))) return;
        await RefreshAsync();
        var unknown = tasks.Select(t => t.TaskName).FirstOrDefault(n => !_catalog.MayHandle(n));
        if (unknown is null) return;
        var known = string.Join(", ", _catalog.Names.Order(StringComparer.Ordinal).Take(20));
        throw new InvalidTaskException("TaskName", $"No connected worker handles task '{unknown}' (workers handle: {known}).");
    }

    private async Task RefreshAsync()
    {
        try
        {
            _catalog = await readCatalog();
        }
#pragma warning disable CA1031 // Any failure means "unknown": accepting is safer than refusing every submit.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCatalogUnavailable(ex);
            _catalog = TaskCatalog.Unknown;
        }
        _fetchedAt = time.GetUtcNow();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The task catalog could not be read; accepting every task name until it can")]
    private partial void LogCatalogUnavailable(Exception exception);
}
