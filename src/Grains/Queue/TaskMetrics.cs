using System.Diagnostics.Metrics;
using DistributedTaskQueue.Telemetry;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// The task lifecycle on the <c>DistributedTaskQueue</c> meter, counted by the partition that owns each task when it
/// applies a transition (so a task is counted once, whichever silo ran it): counters by queue and task name, the wait
/// (due to started) and run (started to finished) histograms. The README lists every instrument. The counters are
/// pulled at collection (<see cref="PulledCounter{TKey}"/> says why); the histograms record each value as it comes.
/// </summary>
internal sealed class TaskMetrics : ITaskTransitions
{
    private readonly PulledCounter<(string Queue, string Task)> _submitted;
    private readonly PulledCounter<(string Queue, string Task)> _started;
    private readonly PulledCounter<(string Queue, string Task)> _succeeded;
    private readonly PulledCounter<(string Queue, string Task)> _failed;
    private readonly PulledCounter<(string Queue, string Task)> _retried;
    private readonly PulledCounter<(string Queue, string Task)> _deadLettered;
    private readonly PulledCounter<(string Queue, string Task)> _cancelled;
    private readonly PulledCounter<string> _stale;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;

    public TaskMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WorkerMetrics.MeterName);
        _submitted = ByTask(meter, "dtq.tasks.submitted", "{task}", "Tasks accepted (written) by their partition");
        _started = ByTask(meter, "dtq.tasks.started", "{attempt}", "Attempts handed to a worker");
        _succeeded = ByTask(meter, "dtq.tasks.succeeded", "{task}", "Tasks that succeeded");
        _failed = ByTask(meter, "dtq.tasks.failed", "{attempt}", "Attempts that failed (then retried or dead-lettered)");
        _retried = ByTask(meter, "dtq.tasks.retried", "{attempt}", "Failed attempts scheduled for a retry");
        _deadLettered = ByTask(meter, "dtq.tasks.dead_lettered", "{task}", "Tasks dead-lettered (retries used up, not retryable, or expired)");
        _cancelled = ByTask(meter, "dtq.tasks.cancelled", "{task}", "Tasks cancelled");
        _stale = new PulledCounter<string>(meter, "dtq.tasks.stale_completions", "{completion}", "Completions refused because their lease was no longer current", queue => [Queue(queue)]);
        _wait = meter.CreateHistogram<double>("dtq.task.wait.duration", "ms", "From when a task could run (submitted, or due) to when an attempt started");
        _run = meter.CreateHistogram<double>("dtq.task.run.duration", "ms", "From an attempt's start to its outcome at the partition");
    }

    public void Submitted(string queue, TaskRecord record) => _submitted.Add((queue, record.TaskName));

    public void Moved(string queue, TaskRecord record, TaskState from, DateTimeOffset now)
    {
        var key = (queue, record.TaskName);
        switch (record.State)
        {
            case TaskState.Running:
                _started.Add(key);
                if (_wait.Enabled)
                    _wait.Record(Milliseconds(now - (record.NotBefore is { } due && due > record.EnqueuedAt ? due : record.EnqueuedAt)), Queue(queue), Task(record.TaskName));
                return;
            case TaskState.Succeeded:
                _succeeded.Add(key);
                break;
            case TaskState.Retrying when from == TaskState.Running:
                _failed.Add(key);
                _retried.Add(key);
                break;
            case TaskState.DeadLettered:
                if (from == TaskState.Running) _failed.Add(key);
                _deadLettered.Add(key);
                break;
            case TaskState.Cancelled:
                _cancelled.Add(key);
                break;
        }
        if (from == TaskState.Running && record.StartedAt is { } started && _run.Enabled)
            _run.Record(Milliseconds(now - started), Queue(queue), Task(record.TaskName));
    }

    public void StaleCompletion(string queue) => _stale.Add(queue);

    private static PulledCounter<(string Queue, string Task)> ByTask(Meter meter, string name, string unit, string description) =>
        new(meter, name, unit, description, key => [Queue(key.Queue), Task(key.Task)]);

    private static double Milliseconds(TimeSpan span) => span < TimeSpan.Zero ? 0 : span.TotalMilliseconds;

    private static KeyValuePair<string, object?> Queue(string queue) => new("queue", queue);

    private static KeyValuePair<string, object?> Task(string taskName) => new("task", taskName);
}
