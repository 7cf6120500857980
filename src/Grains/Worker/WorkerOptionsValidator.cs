using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Checks <see cref="WorkerOptions"/> when the silo starts; each failure names its configuration key.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Queues is null) failures.Add("TaskQueue:Worker:Queues must be set (empty for a silo that runs no tasks).");
        else
        {
            failures.AddRange(options.Queues.Where(q => !QueueNames.IsValid(q)).Select(q => $"TaskQueue:Worker:Queues has an invalid queue name '{q}'."));
            // A queue served twice gets two consumers per partition under one worker id, both numbering their lease calls
            // from 0: the partition takes one's calls for retries of the other's and hands it the other's running tasks.
            failures.AddRange(options.Queues.Where(QueueNames.IsValid).GroupBy(q => q, StringComparer.Ordinal).Where(g => g.Count() > 1)
                .Select(g => $"TaskQueue:Worker:Queues names '{g.Key}' more than once."));
        }
        // The partition refuses worker ids over 300 characters; the silo's address (up to about 70) is added to this one.
        if (options.WorkerId is { Length: > 200 })
            failures.Add("TaskQueue:Worker:WorkerId must be at most 200 characters (the silo's address is added to it).");
        if (options.MaxConcurrentTasks is < 1 or > 100_000) failures.Add("TaskQueue:Worker:MaxConcurrentTasks must be 1..100000.");
        if (options.PollingInterval < TimeSpan.FromMilliseconds(100) || options.PollingInterval > TimeSpan.FromSeconds(25))
            failures.Add("TaskQueue:Worker:PollingInterval must be 0.1..25 s (a lease call must end well within Orleans' 30 s call timeout).");
        try
        {
            TaskRules.ValidateTimeout(options.TaskTimeout, "TaskQueue:Worker:TaskTimeout");
        }
        catch (InvalidTaskException ex)
        {
            failures.Add(ex.Message);
        }
        // The heartbeat also bounds how long a renewal may hold the next one back: below 0.1 s a pause of the
        // process gives calls up that would have answered.
        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100) || options.HeartbeatInterval > TimeSpan.FromHours(1))
            failures.Add("TaskQueue:Worker:HeartbeatInterval must be 0.1 s..1 hour.");
        if (options.ShutdownGracePeriod < TimeSpan.Zero || options.ShutdownGracePeriod > TimeSpan.FromHours(1))
            failures.Add("TaskQueue:Worker:ShutdownGracePeriod must be 0..1 hour.");
        if (options.ReportInterval < TimeSpan.FromMilliseconds(100) || options.ReportInterval > TimeSpan.FromMinutes(5))
            failures.Add("TaskQueue:Worker:ReportInterval must be 0.1 s..5 min.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
