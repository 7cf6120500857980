using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// The rules between a silo's partitions and its worker (<see cref="PartitionOptions"/> against
/// <see cref="WorkerOptions.HeartbeatInterval"/>): a lease must outlive the renewals that keep it, and a failover
/// hold-back must give a live worker one renewal. Checked when the silo starts, with the partition options.
/// </summary>
internal sealed class LeaseRenewalValidator(IOptions<WorkerOptions> worker) : IValidateOptions<PartitionOptions>
{
    private static readonly TimeSpan RenewalTrip = TimeSpan.FromMilliseconds(500);

    public ValidateOptionsResult Validate(string? name, PartitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TimeSpan heartbeat;
        try
        {
            heartbeat = worker.Value.HeartbeatInterval;
        }
        catch (OptionsValidationException)
        {
            // The worker's own validator names what is wrong with it; comparing against a bad heartbeat says nothing more.
            return ValidateOptionsResult.Skip;
        }
        var failures = new List<string>();
        if (options.LeaseDuration < heartbeat * 2)
            failures.Add("TaskQueue:LeaseDuration must be at least twice TaskQueue:Worker:HeartbeatInterval, or running tasks lose their leases between renewals.");
        // A live worker's next renewal is sent within one heartbeat of the new activation (a call stuck at the dead
        // host holds it back no longer than that), and must then arrive: the margin is for its trip.
        if (options.FailoverHoldBack > TimeSpan.Zero && options.FailoverHoldBack < heartbeat + RenewalTrip)
            failures.Add("TaskQueue:FailoverHoldBack must be at least TaskQueue:Worker:HeartbeatInterval + 0.5 s (or 0), or a partition's new activation may lease a task again before its live worker renews it.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
