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
            catch (AggregateException)
            {
                // A handler's own cancellation callback threw. The token is cancelled regardless, and the caller goes on
                // to stop the other attempts it names (a lost lease left running would be reported as stale).
            }
        }

        public void Dispose() => _cancel.Dispose();
    }

    /// <summary>The most cancels of attempts not (yet) running here that are remembered; the oldest are forgotten.</summary>
    public const int MaxEarlyCancels = 1024;

    // Cancels that named an attempt not running here: the partition sends a cancel once, as soon as it is durable, and
    // it can arrive before the lease reply that carries the attempt has been handed over. Start finds it here.
    private readonly Lock _earlyGate = new();
    private readonly HashSet<LeaseToken> _early = [];
    private readonly Queue<LeaseToken> _earlyOrder = new();

    public int Count => _attempts.Count;

    /// <summary>Cancels remembered for attempts not running here.</summary>
    internal int EarlyCancels
    {
        get
        {
            lock (_earlyGate) return _early.Count;
        }
    }

    /// <summary>The leases to renew.</summary>
    public LeaseToken[] Tokens => [.. _attempts.Keys];

    /// <summary>Starts an attempt; one a cancel named before it got here starts stopped.</summary>
    public Attempt Start(LeaseToken token)
    {
        var attempt = new Attempt();
        bool cancelledEarly;
        // Under the gate with Stop's look-up, so a cancel is either seen here or finds the attempt running.
        lock (_earlyGate)
        {
            _attempts[token] = attempt;
            cancelledEarly = _early.Remove(token);
        }
        if (cancelledEarly) attempt.Stop();
        return attempt;
    }

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
            Attempt? attempt;
            lock (_earlyGate)
            {
                if (!_attempts.TryGetValue(token, out attempt)) Remember(token);
            }
            // Outside the gate: firing a token runs the handler's callbacks.
            attempt?.Stop();
        }
    }

    /// <summary>Remembers a cancel of an attempt not running here (under the gate), forgetting the oldest past the bound.</summary>
    private void Remember(LeaseToken token)
    {
        if (!_early.Add(token)) return;
        _earlyOrder.Enqueue(token);
        // Tokens Start already took stay in the order until they come round; the set holds at most the bound.
        while (_early.Count > MaxEarlyCancels || _earlyOrder.Count > 2 * MaxEarlyCancels)
            _early.Remove(_earlyOrder.Dequeue());
    }

    /// <summary>
    /// Stops attempts whose leases the partition says are lost, and keeps their outcomes from being reported. Returns how
    /// many were still running here: an answer can name attempts that ended meanwhile (their reports are on the way).
    /// </summary>
    public int LoseLeases(IEnumerable<LeaseToken> tokens)
    {
        var stopped = 0;
        foreach (var token in tokens)
        {
            if (!_attempts.TryGetValue(token, out var attempt)) continue;
            attempt.MarkLeaseLost();
            attempt.Stop();
            stopped++;
        }
        return stopped;
    }
}
