namespace DistributedTaskQueue;

public sealed partial class TaskClient
{
    /// <summary>
    /// Waits until the task finishes and returns its result. The owning partition completes the wait the
    /// moment the task ends; long waits are made of calls of at most 20 s each (under Orleans' call timeout).
    /// </summary>
    /// <exception cref="TaskTimeoutException">The task did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="TaskExecutionException">The task was dead-lettered; carries the last error.</exception>
    /// <exception cref="TaskCancelledException">The task was cancelled.</exception>
    /// <exception cref="UnknownTaskException">No such task.</exception>
    public async Task<TResult?> WaitForResultAsync<TResult>(TaskId id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var info = await WaitAsync(id, timeout, cancellationToken).ConfigureAwait(false);
        return info.GetResult<TResult>();
    }

    /// <summary>
    /// Waits until the task succeeds and returns its snapshot; throws as <see cref="WaitForResultAsync{TResult}"/> does.
    /// A partition reloading after a failed write, or a silo going away, is ridden out: the wait is a read, so asking
    /// again is always safe. It asks again until the timeout, then once more; even with a short timeout it makes up to
    /// <see cref="UnavailableBackoff.QuickTries"/> tries within 2 s past it (what a gateway's restart needs). A
    /// disposed client is not retried. <see cref="Timeout.InfiniteTimeSpan"/> waits without end, also through an
    /// outage: pass a <paramref name="cancellationToken"/> to bound it.
    /// </summary>
    /// <exception cref="TaskQueueUnavailableException">The partition could not be reached until the timeout.</exception>
    public async Task<TaskInfo> WaitAsync(TaskId id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline(_time.GetUtcNow(), timeout);
        var backoff = UnavailableBackoff.Initial;
        var failures = 0;
        // The quick tries may run past the deadline, but by no more than one longest pause.
        var quickUntil = deadline == DateTimeOffset.MaxValue ? deadline : Deadline(deadline, UnavailableBackoff.Cap);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - _time.GetUtcNow();
            var wait = remaining < MaxWaitPerCall ? remaining : MaxWaitPerCall;
            TaskInfo? answer;
            var call = Call(() => Owner(id).WaitAsync(id.Sequence, wait < TimeSpan.Zero ? TimeSpan.Zero : wait));
            try
            {
                answer = await call.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!call.IsCompleted)
            {
                // The call goes on (at most MaxWaitPerCall) with nobody awaiting it: observe how it ends.
                _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }
            catch (TaskQueueUnavailableException ex) when (ex.InnerException is not ObjectDisposedException && Retry(++failures, quickUntil, deadline))
            {
                // Never past the deadline by more than the last try takes: the pause is cut to what is left, and the
                // loop then asks once more with no wait.
                var left = deadline - _time.GetUtcNow();
                var pause = failures <= UnavailableBackoff.QuickTries || backoff < left ? backoff : left;
                if (pause > TimeSpan.Zero) await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
                backoff = UnavailableBackoff.Next(backoff);
                continue;
            }
            backoff = UnavailableBackoff.Initial;
            failures = 0;
            var info = answer ?? throw new UnknownTaskException($"No task {id}.");
            switch (info.State)
            {
                case TaskState.Succeeded:
                    return info;
                case TaskState.DeadLettered:
                    throw new TaskExecutionException(id, info.LastError);
                case TaskState.Cancelled:
                    throw new TaskCancelledException($"Task {id} was cancelled.");
            }
            if (_time.GetUtcNow() >= deadline)
                throw new TaskTimeoutException($"Task {id} did not finish within {timeout} (it is {info.State}).");
        }
    }

    /// <summary>Whether a wait asks again after its <paramref name="failures"/>-th unavailable answer in a row.</summary>
    private bool Retry(int failures, DateTimeOffset quickUntil, DateTimeOffset deadline)
    {
        var now = _time.GetUtcNow();
        return now < deadline || (failures <= UnavailableBackoff.QuickTries && now < quickUntil);
    }

    /// <summary>Now plus <paramref name="timeout"/>, saturating; an infinite timeout never ends, a negative one has ended.</summary>
    internal static DateTimeOffset Deadline(DateTimeOffset now, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return DateTimeOffset.MaxValue;
        if (timeout <= TimeSpan.Zero) return now;
        return DateTimeOffset.MaxValue - now <= timeout ? DateTimeOffset.MaxValue : now + timeout;
    }

    /// <summary>The task's state, attempts, times and result or errors; null when there is no such task.</summary>
    public Task<TaskInfo?> GetTaskAsync(TaskId id) => CallSafely(() => Owner(id).GetTaskAsync(id.Sequence));

    /// <summary>Counts for a queue, summed over its partitions.</summary>
    public async Task<QueueStats> GetQueueStatsAsync(string? queue = null)
    {
        var name = QueueNames.Validate(queue ?? _options.DefaultQueue);
        var parts = await CallSafely(() => Task.WhenAll(Partitions(name).Select(p => p.GetStatsAsync()))).ConfigureAwait(false);
        return parts.Aggregate((a, b) => a.Add(b));
    }

    /// <summary>Holds workers off a queue; submits are still accepted and wait.</summary>
    public Task PauseQueueAsync(string queue) => SetPausedAsync(queue, paused: true);

    /// <summary>Lets workers back onto a paused queue.</summary>
    public Task ResumeQueueAsync(string queue) => SetPausedAsync(queue, paused: false);

    private async Task SetPausedAsync(string queue, bool paused)
    {
        var name = QueueNames.Validate(queue);
        await Call(async () =>
        {
            await Task.WhenAll(Partitions(name).Select(p => p.SetPausedAsync(paused))).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }
}
