using System.Collections.Concurrent;

namespace DistributedTaskQueue.Worker;

/// <summary>
/// The attempts one partition consumer runs now, keyed by their whole lease token (sequence, attempt, epoch): a late
/// attempt N finishing must not remove attempt N+1 of the same task, or N+1 would stop being renewed. Stopping an
/// attempt fires its token; an attempt whose lease is lost is stopped and its outcome is not reported.
/// </summary>
internal sealed class RunningAttempts
{
    private readonly ConcurrentDictionary<LeaseToken, Attempt> _attempts = new();

    /// <summary>One running attempt: its cancellation and whether its lease is gone.</summary>
    public sealed class Attempt : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private volatile bool _leaseLost;

        public CancellationToken Cancelled => _cancel.Token;

        /// <summary>Its lease went to someone else: its outcome would be rejected, so it is not reported.</summary>
        public bool LeaseLost => _leaseLost;

        internal void MarkLeaseLost() => _leaseLost = true;

        /// <summary>Fires the attempt's token; it may have ended (and been disposed) a moment ago.</summary>
        internal void Stop()
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended meanwhile: nothing left to stop.
            }
        }

        public void Dispose() => _cancel.Dispose();
    }

    public int Count => _attempts.Count;

    /// <summary>The leases to renew.</summary>
    public LeaseToken[] Tokens => [.. _attempts.Keys];

    public Attempt Start(LeaseToken token) => _attempts[token] = new Attempt();

    /// <summary>The token that stops this attempt; none when it does not run here.</summary>
    public CancellationToken CancellationOf(LeaseToken token) =>
        _attempts.TryGetValue(token, out var attempt) ? attempt.Cancelled : CancellationToken.None;

    /// <summary>
    /// Forgets an attempt that ended (only that one: a newer attempt of the same task stays) and returns it, disposed
    /// (whether its lease was lost stays readable); null when it did not run here.
    /// </summary>
    public Attempt? End(LeaseToken token)
    {
        if (!_attempts.TryRemove(token, out var attempt)) return null;
        attempt.Dispose();
        return attempt;
    }

    /// <summary>Stops these attempts (a remote cancel).</summary>
    public void Stop(IEnumerable<LeaseToken> tokens)
    {
        foreach (var token in tokens)
        {
            if (_attempts.TryGetValue(token, out var attempt)) attempt.Stop();
        }
    }

    /// <summary>Stops attempts whose leases the partition says are lost, and keeps their outcomes from being reported.</summary>
    public void LoseLeases(IEnumerable<LeaseToken> tokens)
    {
        foreach (var token in tokens)
        {
            if (!_attempts.TryGetValue(token, out var attempt)) continue;
            attempt.MarkLeaseLost();
            attempt.Stop();
        }
    }
}
