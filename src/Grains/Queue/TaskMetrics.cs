using System.Diagnostics.Metrics;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// The task lifecycle on the <c>DistributedTaskQueue</c> meter, counted by the partition that owns each task when it
/// applies a transition (so a task is counted once, whichever silo ran it): counters by queue and task name, the wait
/// (due to started) and run (started to finished) histograms. The README lists every instrument.
/// </summary>
internal sealed class TaskMetrics : ITaskTransitions
{
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _stale;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;

    public TaskMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WorkerMetrics.MeterName);
        _submitted = meter.CreateCounter<long>("dtq.tasks.submitted", "{task}", "Tasks accepted (written) by their partition");
        _started = meter.CreateCounter<long>("dtq.tasks.started", "{attempt}", "Attempts handed to a worker");
        _succeeded = meter.CreateCounter<long>("dtq.tasks.succeeded", "{task}", "Tasks that succeeded");
        _failed = meter.CreateCounter<long>("dtq.tasks.failed", "{attempt}", "Attempts that failed (then retried or dead-lettered)");
        _retried = meter.CreateCounter<long>("dtq.tasks.retried", "{attempt}", "Failed attempts scheduled for a retry");
        _deadLettered = meter.CreateCounter<long>("dtq.tasks.dead_lettered", "{task}", "Tasks dead-lettered (retries used up, not retryable, or expired)");
        _cancelled = meter.CreateCounter<long>("dtq.tasks.cancelled", "{task}", "Tasks cancelled");
        _stale = meter.CreateCounter<long>("dtq.tasks.stale_completions", "{completion}", "Completions refused because their lease was no longer current");
        _wait = meter.CreateHistogram<double>("dtq.task.wait.duration", "ms", "From when a task could run (submitted, or due) to when an attempt started");
        _run = meter.CreateHistogram<double>("dtq.task.run.duration", "ms", "From an attempt's start to its outcome at the partition");
    }

    public void Submitted(string queue, TaskRecord record) => _submitted.Add(1, Queue(queue), Task(record));

    public void Moved(string queue, TaskRecord record, TaskState from, DateTimeOffset now)
    {
        var q = Queue(queue);
        var task = Task(record);
        switch (record.State)
        {
            case TaskState.Running:
                _started.Add(1, q, task);
                _wait.Record(Milliseconds(now - (record.NotBefore is { } due && due > record.EnqueuedAt ? due : record.EnqueuedAt)), q, task);
                return;
            case TaskState.Succeeded:
                _succeeded.Add(1, q, task);
                break;
            case TaskState.Retrying when from == TaskState.Running:
                _failed.Add(1, q, task);
                _retried.Add(1, q, task);
                break;
            case TaskState.DeadLettered:
                if (from == TaskState.Running) _failed.Add(1, q, task);
                _deadLettered.Add(1, q, task);
                break;
            case TaskState.Cancelled:
                _cancelled.Add(1, q, task);
                break;
        }
        if (from == TaskState.Running && record.StartedAt is { } started) _run.Record(Milliseconds(now - started), q, task);
    }

    public void StaleCompletion(string queue) => _stale.Add(1, Queue(queue));

    private static double Milliseconds(TimeSpan span) => span < TimeSpan.Zero ? 0 : span.TotalMilliseconds;

    private static KeyValuePair<string, object?> Queue(string queue) => new("queue", queue);

    private static KeyValuePair<string, object?> Task(TaskRecord record) => new("task", record.TaskName);
}
