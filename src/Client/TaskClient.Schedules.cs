namespace DistributedTaskQueue;

public sealed partial class TaskClient
{
    private TaskSchedules? _schedules;

    /// <summary>Schedules: tasks submitted once at a time, every N minutes, daily, weekly or by cron (see <see cref="TaskSchedules"/>).</summary>
    public TaskSchedules Schedules => _schedules ??= new TaskSchedules(this);

    internal IGrainFactory GrainFactory => _grains;

    internal TimeProvider Time => _time;

    /// <summary>Runs a grain call with this client's error mapping; <paramref name="repeatable"/> calls ride out a failover.</summary>
    internal Task<T> Invoke<T>(Func<Task<T>> call, bool repeatable) => repeatable ? CallSafely(call) : Call(call);

    /// <summary>The submission a schedule sends: the type's defaults and <paramref name="options"/> resolved and checked as a submit would.</summary>
    internal TaskSubmission ScheduledSubmission<TResult>(ITask<TResult> task, TaskOptions? options) => Build(task, options, priority: null);

    /// <summary>The submission a schedule sends for a task named by string with a JSON payload.</summary>
    internal TaskSubmission ScheduledSubmission(string taskName, string payloadJson, TaskOptions? options)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        return Resolve(taskName, System.Text.Encoding.UTF8.GetBytes(payloadJson), null, options, null);
    }
}
