using System.Diagnostics;

namespace DistributedTaskQueue;

public sealed partial class TaskClient
{
    /// <summary>Submits one task; returns its id once it is durably written.</summary>
    /// <exception cref="InvalidTaskException">Bad queue name, payload too large or bad options; nothing was enqueued.</exception>
    public async Task<TaskId> SubmitAsync<TResult>(ITask<TResult> task, string? queue = null, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var name = QueueNames.Validate(queue ?? _options.DefaultQueue);
        var submission = Build(task, options, priority: null);
        var ids = await Submit(name, submission).ConfigureAwait(false);
        return ids[0];
    }

    /// <summary>Submits a task by name with a JSON payload (for tasks whose type this app does not have).</summary>
    public async Task<TaskId> SubmitAsync(string taskName, string payloadJson, string? queue = null, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        var name = QueueNames.Validate(queue ?? _options.DefaultQueue);
        var submission = Resolve(taskName, System.Text.Encoding.UTF8.GetBytes(payloadJson), null, options, null);
        var ids = await Submit(name, submission).ConfigureAwait(false);
        return ids[0];
    }

    /// <summary>Submits many tasks in one durable write; ids come back in the order given.</summary>
    public Task<IReadOnlyList<TaskId>> SubmitBatchAsync<TResult>(IEnumerable<ITask<TResult>> tasks, string? queue = null, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return SubmitAllAsync(queue, tasks.Select(t => Build(t, options, priority: null)));
    }

    /// <summary>Submits many tasks, each with its own priority, in one durable write; ids come back in order.</summary>
    public Task<IReadOnlyList<TaskId>> SubmitBatchAsync<TResult>(IEnumerable<(ITask<TResult> Task, TaskPriority Priority)> tasks, string? queue = null, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return SubmitAllAsync(queue, tasks.Select(t => Build(t.Task, options, t.Priority)));
    }

    /// <summary>Submits many tasks of one name with JSON payloads (for task types this app does not have), in one durable write.</summary>
    public Task<IReadOnlyList<TaskId>> SubmitBatchAsync(string taskName, IEnumerable<string> payloadsJson, string? queue = null, TaskOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(payloadsJson);
        return SubmitAllAsync(queue, payloadsJson.Select(p => Resolve(taskName, System.Text.Encoding.UTF8.GetBytes(p), null, options, null)));
    }

    /// <summary>
    /// Submits tasks given by name and JSON payload, each with its own options, in one durable write; ids come
    /// back in order. A bad item refuses the whole batch, and the error names the item.
    /// </summary>
    public Task<IReadOnlyList<TaskId>> SubmitBatchAsync(IEnumerable<NamedTask> tasks, string? queue = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return SubmitAllAsync(queue, tasks.Select(ResolveItem));
    }

    private TaskSubmission ResolveItem(NamedTask task, int index)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(task.PayloadJson);
        try
        {
            return Resolve(task.TaskName, System.Text.Encoding.UTF8.GetBytes(task.PayloadJson), null, task.Options, null);
        }
        catch (InvalidTaskException ex)
        {
            var message = $"Batch item {index}: {ex.Message}";
            throw ex.Field is { } field ? new InvalidTaskException(field, message) : new InvalidTaskException(message, ex);
        }
    }

    private async Task<IReadOnlyList<TaskId>> SubmitAllAsync(string? queue, IEnumerable<TaskSubmission> submissions)
    {
        var name = QueueNames.Validate(queue ?? _options.DefaultQueue);
        // Validate everything before sending anything: a bad item refuses the whole batch.
        var batch = submissions.ToArray();
        if (batch.Length == 0) return [];
        if (_options.PartitionsPerQueue > 1 && batch.Any(b => b.IdempotencyKey is not null))
            throw new InvalidTaskException("IdempotencyKey", "Idempotency keys in a batch need PartitionsPerQueue = 1; submit keyed tasks one by one.");
        using var span = StartSubmitSpan(name, batch);
        return await SendAsync(name, NextPartition(name), Tokened(batch)).ConfigureAwait(false);
    }

    private async Task<TaskId[]> Submit(string queue, TaskSubmission submission)
    {
        TaskSubmission[] batch = [submission];
        using var span = StartSubmitSpan(queue, batch);
        return await SendAsync(queue, PartitionFor(queue, submission), Tokened(batch)).ConfigureAwait(false);
    }

    private static readonly ActivitySource Tracing = new(TaskTracing.SourceName);

    /// <summary>
    /// The submit's span (when anyone listens), and the trace parent every item carries: this span, else the caller's
    /// own current activity (an ASP.NET request), so the attempts' spans join the caller's trace either way.
    /// </summary>
    private static Activity? StartSubmitSpan(string queue, TaskSubmission[] batch)
    {
        var span = Tracing.StartActivity("dtq.submit", ActivityKind.Producer);
        span?.SetTag("messaging.system", "dtq");
        span?.SetTag("messaging.destination.name", queue);
        span?.SetTag("messaging.batch.message_count", batch.Length);
        if (batch.Length == 1) span?.SetTag("dtq.task", batch[0].TaskName);
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } parent })
        {
            for (var i = 0; i < batch.Length; i++) batch[i] = batch[i] with { TraceParent = parent };
        }
        return span;
    }

    /// <summary>Gives every item without an idempotency key this call's token, so a retry of the call cannot make a second task.</summary>
    internal static TaskSubmission[] Tokened(TaskSubmission[] batch)
    {
        // 128 bits from the thread's generator, seeded once from the OS: Guid.NewGuid reads the kernel's random source on
        // every call, a system call that took 10 % of a client's CPU at 64 producers (bench/README.md, issue 13 step 9).
        // A token needs to be unique among a partition's recent submits, not secret (it is never shown).
        Span<byte> random = stackalloc byte[16];
        Guid call;
        // The silo refuses the empty Guid as a token; 16 random bytes make it once in 2^128 draws, so draw again.
        do
        {
            Random.Shared.NextBytes(random);
            call = new Guid(random);
        }
        while (call == Guid.Empty);
        for (var i = 0; i < batch.Length; i++)
        {
            if (batch[i].IdempotencyKey is null) batch[i] = batch[i] with { Token = new SubmitToken(call, i) };
        }
        return batch;
    }

    /// <summary>
    /// Sends a submit until its partition answers or <see cref="TaskQueueOptions.SubmitTimeout"/> passes: while the silo
    /// hosting the partition dies and is replaced, the same items (same keys and tokens) are sent again (an attempt
    /// unanswered after 5 s counts as failed), every 0.1 s at first and at most every second, and the partition answers a
    /// repeat with the first call's ids. A partition that answers "unavailable" (its write failed, or it is reloading
    /// after one: <see cref="TaskQueueUnavailableException"/>) is asked again the same way, since the outcome of the
    /// first call is unknown and the same keys and tokens make the repeat safe. Bad input is never retried: it comes
    /// back at once. A failed attempt marks the partition, so new submits go to the queue's other partitions meanwhile.
    /// </summary>
    private async Task<TaskId[]> SendAsync(string queue, int partitionNumber, TaskSubmission[] batch)
    {
        var partition = Partition(queue, partitionNumber);
        var deadline = _time.GetUtcNow() + _options.SubmitTimeout;
        var delay = TimeSpan.FromMilliseconds(100);
        Exception? last = null;
        for (var attempt = 1; ; attempt++)
        {
            // A retry delay may end past the deadline (a late timer): then no attempt is sent, and none waits a negative time.
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero && last is not null) throw Unanswered(attempt - 1, last);
            var call = partition.SubmitAsync(batch);
            try
            {
                // A call to a silo that just died is answered only by Orleans' 30 s response timeout; the same items sent
                // again reach the partition's new home as soon as the cluster has declared the silo dead.
                var wait = remaining < SubmitAttemptTimeout ? remaining : SubmitAttemptTimeout;
                var ids = await AwaitAttemptAsync(call, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, queue, partitionNumber).ConfigureAwait(false);
                if (_options.PartitionsPerQueue > 1) _availability.Answered(queue, partitionNumber);
                return ids;
            }
            catch (Exception ex) when (ex is TaskQueueUnavailableException || ex is not (TaskQueueException or OperationCanceledException or ArgumentException))
            {
                last = ex;
                _availability.Failed(queue, partitionNumber);
                if (_time.GetUtcNow() + delay >= deadline) throw Unanswered(attempt, ex);
                if (!call.IsCompleted) call.Ignore(); // its answer, if any, is the same ids again
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = delay * 2 < MaxSubmitRetryDelay ? delay * 2 : MaxSubmitRetryDelay;
            }
        }
    }

    /// <summary>
    /// Waits for one attempt. With several partitions, an attempt unanswered after <see cref="SlowAttempt"/> marks its
    /// partition at once: a call to a silo that died hangs until the attempt's timeout, and new submits should not queue
    /// behind it meanwhile (a partition that is only slow then takes fewer new submits, which is no harm either).
    /// </summary>
    private async Task<TaskId[]> AwaitAttemptAsync(Task<TaskId[]> call, TimeSpan wait, string queue, int partitionNumber)
    {
        if (_options.PartitionsPerQueue > 1 && wait > SlowAttempt)
        {
            try
            {
                return await call.WaitAsync(SlowAttempt, _time).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!call.IsCompleted)
            {
                _availability.Failed(queue, partitionNumber);
                wait -= SlowAttempt;
            }
        }
        return await call.WaitAsync(wait, _time).ConfigureAwait(false);
    }

    private TaskQueueUnavailableException Unanswered(int attempts, Exception last) => new(
        $"The task queue cluster did not answer a submit within {_options.SubmitTimeout.TotalSeconds:0.#} s ({attempts} attempts): " +
        $"the task may have been accepted. Submitting it again with an IdempotencyKey is safe. Last error: {last.Message}", last);

    /// <summary>An idempotency key always maps to the same partition, which is what makes it deduplicate.</summary>
    private int PartitionFor(string queue, TaskSubmission submission)
    {
        if (submission.IdempotencyKey is not { } key || _options.PartitionsPerQueue == 1) return NextPartition(queue);
        return TaskPartitioner.PartitionFor(key, _options.PartitionsPerQueue);
    }

    private TaskSubmission Build<TResult>(ITask<TResult> task, TaskOptions? options, TaskPriority? priority)
    {
        ArgumentNullException.ThrowIfNull(task);
        var type = task.GetType();
        return Resolve(TaskTypes.NameOf(type), TaskJson.Serialize(task, type), TaskTypes.DefaultsOf(type), options, priority);
    }

    /// <summary>Layers submit options over the type's defaults over the queue's, and refuses what the silo would refuse (the same rules).</summary>
    private TaskSubmission Resolve(string taskName, byte[] payload, TaskDefaultsAttribute? defaults, TaskOptions? options, TaskPriority? priority)
    {
        var now = _time.GetUtcNow();
        var retry = options?.Retry ?? TaskTypes.RetryOf(defaults, _options.DefaultRetry);
        var timeout = options?.Timeout ?? (defaults is { TimeoutSeconds: > 0 } ? TimeSpan.FromSeconds(defaults.TimeoutSeconds) : null);
        if (options?.Delay is { } delay && (delay < TimeSpan.Zero || delay > TaskRules.MaxHorizon))
            throw new InvalidTaskException("Delay", $"Task '{taskName}': a delay must be 0..{TaskRules.MaxHorizon.TotalDays:0} days, was {delay}.");
        var notBefore = options?.NotBefore ?? (options?.Delay is { } d ? now + d : null);
        var submission = new TaskSubmission
        {
            TaskName = taskName,
            Payload = payload,
            Priority = priority ?? options?.Priority ?? defaults?.Priority ?? TaskPriority.Normal,
            Retry = retry,
            Timeout = timeout,
            NotBefore = notBefore,
            ExpiresAt = options?.ExpiresAt,
            ResultTtl = options?.ResultTtl,
            IdempotencyKey = options?.IdempotencyKey,
        };
        TaskRules.Validate(submission, _options, now);
        return submission;
    }
}
