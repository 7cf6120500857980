using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// The rule between a silo's partitions and the clients it hosts (its JSON API's included): a client retries a submit for
/// <see cref="TaskQueueOptions.SubmitTimeout"/>, and a partition recognizes a retry only for
/// <see cref="PartitionOptions.SubmitDedupeWindow"/>; a retry after the window makes a second task.
/// </summary>
internal sealed class SubmitDedupeValidator(IOptions<TaskQueueOptions> shared) : IValidateOptions<PartitionOptions>
{
    public ValidateOptionsResult Validate(string? name, PartitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TimeSpan timeout;
        try
        {
            timeout = shared.Value.SubmitTimeout;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // the shared options' own validator names what is wrong with them
        }
        return options.SubmitDedupeWindow > timeout
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"TaskQueue:SubmitDedupeWindow ({options.SubmitDedupeWindow}) must be longer than TaskQueue:SubmitTimeout ({timeout}): " +
                "a client retries a submit for the timeout, and a retry the partition no longer recognizes makes a second task.");
    }
}
