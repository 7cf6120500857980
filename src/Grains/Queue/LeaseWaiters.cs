namespace DistributedTaskQueue.Queue;

/// <summary>
/// Workers' lease calls parked while nothing is pending (long polls), served in arrival order the moment tasks
/// are there. Runs inside the partition grain's turns, so a waiter is either served or timed out, never both.
/// </summary>
internal sealed class LeaseWaiters(TimeProvider time)
{
    /// <summary>One parked lease call.</summary>
    public sealed record Waiter(string WorkerId, long RequestId, int Max)
    {
        public TaskCompletionSource<LeasedTask[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly LinkedList<Waiter> _parked = new();

    public bool IsEmpty => _parked.Count == 0;

    /// <summary>Parks the call until <see cref="Serve"/> hands it tasks or <paramref name="wait"/> runs out (then it gets none).</summary>
    public async Task<LeasedTask[]> ParkAsync(Waiter waiter, TimeSpan wait)
    {
        var node = _parked.AddLast(waiter);
        using var timeout = new CancellationTokenSource();
        var first = await Task.WhenAny(waiter.Result.Task, Task.Delay(wait, time, timeout.Token));
        await timeout.CancelAsync();
        if (first != waiter.Result.Task && node.List is not null)
        {
            _parked.Remove(node);
            waiter.Result.TrySetResult([]);
        }
        return await waiter.Result.Task;
    }

    /// <summary>Serves parked calls in arrival order while <paramref name="lease"/> finds tasks for them; returns how many were served.</summary>
    public int Serve(Func<Waiter, List<LeasedTask>> lease)
    {
        List<(Waiter Waiter, LeasedTask[] Tasks)>? handOut = null;
        while (_parked.First is { } node)
        {
            var leased = lease(node.Value);
            if (leased.Count == 0) break;
            _parked.RemoveFirst();
            (handOut ??= []).Add((node.Value, [.. leased]));
        }
        if (handOut is null) return 0;
        // Completed after the loop, so no served call resumes while the list is still being walked.
        foreach (var (waiter, tasks) in handOut) waiter.Result.TrySetResult(tasks);
        return handOut.Count;
    }

    /// <summary>Ends the parked calls of one worker (or of all, when null) at once, with no tasks.</summary>
    public void Release(string? workerId) => ReleaseWhere(worker => workerId is null || worker == workerId);

    /// <summary>Ends the parked calls of every worker <paramref name="matches"/> picks, at once, with no tasks.</summary>
    public void ReleaseWhere(Func<string, bool> matches)
    {
        for (var node = _parked.First; node is not null;)
        {
            var next = node.Next;
            if (matches(node.Value.WorkerId))
            {
                _parked.Remove(node);
                node.Value.Result.TrySetResult([]);
            }
            node = next;
        }
    }
}
