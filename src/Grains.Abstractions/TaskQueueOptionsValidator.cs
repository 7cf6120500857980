using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// Checks <see cref="TaskQueueOptions"/> when a client or silo host starts (registered with <c>ValidateOnStart</c>),
/// so a bad setting stops the start rather than the first submit. Each failure names its configuration key.
/// </summary>
public sealed class TaskQueueOptionsValidator : IValidateOptions<TaskQueueOptions>
{
    /// <summary>Largest payload limit: 64 MiB.</summary>
    private const int MaxBytes = 64 * 1024 * 1024;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId)) failures.Add("TaskQueue:ClusterId must be set.");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) failures.Add("TaskQueue:ServiceId must be set.");
        if (!QueueNames.IsValid(options.DefaultQueue)) failures.Add($"TaskQueue:DefaultQueue '{options.DefaultQueue}' is not a valid queue name.");
        if (options.PartitionsPerQueue is < 1 or > 256) failures.Add("TaskQueue:PartitionsPerQueue must be 1..256.");
        if (options.MaxPayloadBytes is < 1 or > MaxBytes) failures.Add($"TaskQueue:MaxPayloadBytes must be 1..{MaxBytes}.");
        if (options.SubmitTimeout < TimeSpan.FromSeconds(1) || options.SubmitTimeout > TimeSpan.FromMinutes(10))
            failures.Add("TaskQueue:SubmitTimeout must be 1 s..10 min.");
        if (options.DefaultRetry is null) failures.Add("TaskQueue:DefaultRetry must be set.");
        else if (RetryProblem(options.DefaultRetry) is { } problem) failures.Add($"TaskQueue:DefaultRetry: {problem}");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? RetryProblem(RetryPolicy retry)
    {
        try
        {
            retry.Validate();
            return null;
        }
        catch (InvalidTaskException ex)
        {
            return ex.Message;
        }
    }
}
