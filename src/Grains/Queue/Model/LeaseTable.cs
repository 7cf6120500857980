namespace DistributedTaskQueue.Queue;

/// <summary>
/// The running tasks' leases: who holds each (null while a lease restored after a failover waits for its worker to
/// reclaim it), under which fencing token (attempt, epoch), until when. Not stored: after a failover, leases are
/// re-established from the records stored as Running and from the workers' renewals (invariant 3).
/// </summary>
internal sealed class LeaseTable(TimeSpan duration)
{
    private readonly Dictionary<long, Lease> _leases = [];

    /// <summary>One lease: who holds it, under which fencing token, until when.</summary>
    public readonly record struct Lease(string? WorkerId, LeaseToken Token, DateTimeOffset Deadline);

    public int Count => _leases.Count;

    public IEnumerable<KeyValuePair<long, Lease>> All => _leases;

    public void Grant(LeaseToken token, string? workerId, DateTimeOffset now) =>
        _leases[token.Sequence] = new Lease(workerId, token, now + duration);

    /// <summary>Whether <paramref name="token"/> is the lease held now (a stale attempt's token never is).</summary>
    public bool IsCurrent(LeaseToken token) => _leases.TryGetValue(token.Sequence, out var lease) && lease.Token == token;

    public bool TryGet(long sequence, out Lease lease) => _leases.TryGetValue(sequence, out lease);

    /// <summary>Extends a lease (and gives a held-back one to the worker that reclaims it).</summary>
    public void Extend(long sequence, string workerId, DateTimeOffset now)
    {
        if (_leases.TryGetValue(sequence, out var lease)) _leases[sequence] = lease with { WorkerId = workerId, Deadline = now + duration };
    }

    public bool Remove(long sequence) => _leases.Remove(sequence);

    /// <summary>Removes and returns the leases <paramref name="released"/> picks.</summary>
    public List<long> TakeWhere(Func<Lease, bool> released)
    {
        var sequences = _leases.Where(l => released(l.Value)).Select(l => l.Key).ToList();
        foreach (var sequence in sequences) _leases.Remove(sequence);
        return sequences;
    }
}
