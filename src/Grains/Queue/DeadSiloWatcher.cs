using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Watches cluster membership for silos declared dead, so a partition redelivers their tasks at once instead of
/// after their leases run out. Workers lease under their silo's address, so the membership view names them.
/// </summary>
internal sealed partial class DeadSiloWatcher(IClusterMembershipService membership, ILogger logger)
{
    private readonly HashSet<SiloAddress> _dead = [];

    /// <summary>Calls <paramref name="released"/> with the worker-matching predicate of each new batch of dead silos, until cancelled.</summary>
    public async Task WatchAsync(Func<Func<string, bool>, IReadOnlyCollection<string>, Task> released, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    var members = string.Join(", ", snapshot.Members.Values.Select(m => $"{m.SiloAddress}={m.Status}"));
                    LogMembership(snapshot.Version.Value, members);
                }
                var dead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && _dead.Add(m.SiloAddress))
                    .Select(m => m.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
                if (dead.Count > 0) await released(worker => dead.Any(silo => IsOnSilo(worker, silo)), dead);
            }
        }
        catch (OperationCanceledException)
        {
            // Deactivating.
        }
        catch (TaskQueueUnavailableException)
        {
            // The partition broke and is reloading; the next activation watches again.
        }
    }

    /// <summary>A worker id is its silo's address (<c>ip:port@generation</c>), optionally prefixed with a name and '@'.</summary>
    public static bool IsOnSilo(string workerId, string siloAddress) =>
        workerId == siloAddress || (workerId.EndsWith(siloAddress, StringComparison.Ordinal) && workerId[^(siloAddress.Length + 1)] == '@');

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership version {Version}: {Members}")]
    private partial void LogMembership(long version, string members);
}
