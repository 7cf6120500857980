using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue.Execution;

/// <summary>
/// Runs one leased attempt: resolves its handler, deserializes the payload, runs it under the attempt's
/// timeout, and turns whatever happens into a <see cref="TaskOutcome"/> here and nowhere else. It never
/// decides about retries: the partition's retry policy does. A plain class, not a grain: the executor grain
/// (<see cref="TaskExecutorGrain"/>) calls it in-process for each attempt, since a grain call per task cost about half
/// of the per-task CPU in the prototype.
/// </summary>
internal sealed class TaskExecutor(TaskHandlerRegistry registry, IServiceProvider services, IOptions<PartitionOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly int _maxResultBytes = options.Value.MaxResultBytes;
    private readonly ConcurrentDictionary<string, ILogger> _taskLoggers = new(StringComparer.Ordinal);
    private readonly ILogger _sharedTaskLogger = loggers.CreateLogger(TaskCategory.TrimEnd('.'));

    private const string TaskCategory = "DistributedTaskQueue.Task.";

    /// <summary>Task names that get a logger category of their own; the names past these share one.</summary>
    internal const int MaxLoggerCategories = 1024;

    private static readonly Func<ILogger, TaskId, int, IDisposable?> AttemptScope =
        LoggerMessage.DefineScope<TaskId, int>("Task {TaskId} attempt {Attempt}");

    /// <param name="task">The leased attempt.</param>
    /// <param name="workerId">Who runs it (for the context and errors).</param>
    /// <param name="defaultTimeout">The timeout when the task sets none.</param>
    /// <param name="cancelled">Fires when the task is cancelled remotely: the attempt ends as a non-retryable failure (the partition records Cancelled).</param>
    /// <param name="stopping">Fires when the worker's shutdown grace period is over: the attempt ends Released (handed back, no failure counted).</param>
    public async Task<TaskCompletion> RunAsync(LeasedTask task, string workerId, TimeSpan defaultTimeout, CancellationToken cancelled, CancellationToken stopping)
    {
        using var span = RunSpans.Start(task, workerId);
        TaskCompletion completion;
        try
        {
            completion = await RunAttemptAsync(task, workerId, defaultTimeout, cancelled, stopping).ConfigureAwait(false);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            completion = new TaskCompletion(task.Lease, new TaskOutcome.Released());
        }
        catch (Exception ex)
        {
            // Whatever escapes the attempt (a raw handler's CanHandle that throws, a scoped service that fails to dispose)
            // is a failure the retry policy bounds. An attempt that reported nothing would run again at every lease
            // expiry, and an expired lease counts no failure: the task would never be dead-lettered.
            completion = Failed(task, ErrorOf(ex, task), retryable: true);
        }
        RunSpans.End(span, completion);
        return completion;
    }

    private async Task<TaskCompletion> RunAttemptAsync(LeasedTask task, string workerId, TimeSpan defaultTimeout, CancellationToken cancelled, CancellationToken stopping)
    {
        var now = time.GetUtcNow();
        var handler = registry.Find(task.TaskName);
        if (handler is null)
        {
            // Retryable: another silo (or this one after a deploy) may have the handler; the retry policy bounds it.
            return Failed(task, new TaskError($"No handler for task '{task.TaskName}' is registered on worker {workerId}.", "MissingHandler", null, task.Attempt, now), retryable: true);
        }
        var timeout = task.Timeout ?? defaultTimeout;
        // "No timeout" is spelled InfiniteTimeSpan or TimeSpan.MaxValue; WaitAsync takes only the former.
        var wait = TaskRules.IsUnlimited(timeout) ? Timeout.InfiniteTimeSpan : timeout;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancelled, stopping);
        var logger = LoggerFor(task.TaskName);
        using var scopeLog = AttemptScope(logger, task.Id, task.Attempt);
        var context = new TaskContext
        {
            TaskId = task.Id,
            TaskName = task.TaskName,
            Attempt = task.Attempt,
            EnqueuedAt = task.EnqueuedAt,
            WorkerId = workerId,
            Logger = logger,
        };
        await using var scope = services.CreateAsyncScope();
        Task<byte[]>? run = null;
        try
        {
            run = handler.Invoke(scope.ServiceProvider, task.TaskName, task.Payload, context, attempt.Token);
            // WaitAsync gives the slot back at the timeout, cancel or shutdown even when a handler ignores its token.
            var result = await run.WaitAsync(wait, time, attempt.Token).ConfigureAwait(false);
            if (TaskRules.ResultProblem(result, _maxResultBytes) is { } problem)
                return Failed(task, new TaskError(problem.Message, problem.Type, null, task.Attempt, time.GetUtcNow()), retryable: false);
            return new TaskCompletion(task.Lease, new TaskOutcome.Succeeded(result));
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            return new TaskCompletion(task.Lease, new TaskOutcome.Released());
        }
        catch (Exception) when (cancelled.IsCancellationRequested)
        {
            return Failed(task, new TaskError("Cancelled while running.", "Cancelled", null, task.Attempt, time.GetUtcNow()), retryable: false);
        }
        catch (TimeoutException ex) when (IsAttemptTimeout(run, ex))
        {
            // Fire the token too, so a handler that does listen stops its work.
            await attempt.CancelAsync().ConfigureAwait(false);
            return Failed(task, new TaskError($"Timed out after {timeout}.", "Timeout", null, task.Attempt, time.GetUtcNow()), retryable: true);
        }
        catch (TaskPayloadException ex)
        {
            return Failed(task, ErrorOf(ex, task), retryable: false);
        }
        catch (NonRetryableTaskException ex)
        {
            return Failed(task, ErrorOf(ex, task), retryable: false);
        }
        catch (Exception ex)
        {
            return Failed(task, ErrorOf(ex, task), retryable: true);
        }
    }

    /// <summary>
    /// The handler's logger, in a category named after its task. The logger factory keeps every category it ever made,
    /// and a raw handler may take any name, so only the first <see cref="MaxLoggerCategories"/> names get a category of
    /// their own: a category per name made silo memory grow with the history of task names.
    /// </summary>
    private ILogger LoggerFor(string taskName)
    {
        if (_taskLoggers.TryGetValue(taskName, out var logger)) return logger;
        if (_taskLoggers.Count >= MaxLoggerCategories) return _sharedTaskLogger;
        return _taskLoggers.GetOrAdd(taskName, name => loggers.CreateLogger(TaskCategory + name));
    }

    /// <summary>
    /// Whether WaitAsync gave up on the handler (the attempt's timeout), not the handler throwing a TimeoutException of
    /// its own (a database's, an HTTP client's), which is reported as the handler's error with its own message.
    /// </summary>
    private static bool IsAttemptTimeout(Task<byte[]>? run, TimeoutException ex) =>
        run is not null && run.Exception?.InnerExceptions.Contains(ex) != true;

    /// <summary>
    /// The error of a failed attempt. A handler's exception may be hostile (a Message that is null or throws, a
    /// StackTrace that throws): reading it must never throw, or the attempt would end with no outcome at all.
    /// </summary>
    private TaskError ErrorOf(Exception ex, LeasedTask task)
    {
        var type = ex.GetType().FullName;
        var message = Read(() => ex.Message) ?? $"{type} (its message could not be read)";
        return TaskRules.Bounded(new(message, type, Read(() => ex.StackTrace), task.Attempt, time.GetUtcNow()));
    }

    private static string? Read(Func<string?> member)
    {
        try
        {
            return member();
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static TaskCompletion Failed(LeasedTask task, TaskError error, bool retryable) =>
        new(task.Lease, new TaskOutcome.Failed(error, retryable));
}
