using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue.Queue;

/// <summary>
/// Reads segments that left memory back from Redis: one read per segment at a time, shared by every caller that
/// needs it. A segment storage no longer has (or cannot decode) is reported lost and forgotten, so it never blocks
/// its priority level. Runs inside the partition grain's turns. It tells the grain when a read brought tasks back
/// (<c>onWarmed</c>: leasing and promotion can go on) and when a segment was lost (<c>onLost</c>: its tasks' waiters must wake).
/// </summary>
internal sealed partial class ColdSegmentReader(
    QueuePartition partition, PartitionStore store, PartitionMetrics metrics, TimeProvider time, string queue, string key, Action onWarmed, Action onLost, ILogger logger)
{
    private readonly Dictionary<long, Task> _reading = [];

    /// <summary>Starts reading the cold segments leasing or promotion will reach soon (or has reached).</summary>
    public void Prefetch()
    {
        if (!partition.HasColdSegments) return; // the common case, on every dispatch: nothing to read
        foreach (var number in partition.TakeWanted(time.GetUtcNow())) ReadAsync(number).Ignore();
    }

    /// <summary>Reads the cold segments these sequences live in, so the model can answer for them.</summary>
    public Task WarmAsync(IEnumerable<long> sequences) => partition.HasColdSegments ? WarmColdAsync(sequences) : Task.CompletedTask;

    private async Task WarmColdAsync(IEnumerable<long> sequences)
    {
        var first = partition.ColdSegmentsOf(sequences);
        if (first.Count == 0) return;
        // Every segment the call needs is pinned until it returns, not only those cold now: writes that land while the
        // reads are out evict past the budget, and would drop exactly these first (wholly waiting or finished, far from
        // the fronts), so a busy partition refused every such call (a purge racing submits did). One warm now and
        // evicted meanwhile had to be read again in a later round, unpinned, and was evicted again while that round's
        // other reads were out, until the call gave up (a dead-letter page spanning warm and cold segments did).
        var pinned = sequences.Select(TaskSegment.NumberOf).ToHashSet();
        partition.Pin(pinned);
        try
        {
            // Rounds still, for a segment that left memory by another way while it was read (retention's deletes).
            for (var round = 0; ; round++)
            {
                var cold = round == 0 ? first : partition.ColdSegmentsOf(sequences);
                if (cold.Count == 0) return;
                if (round == 3) throw new TaskQueueUnavailableException($"Could not read segments {string.Join(", ", cold)} of queue partition {key}; retry the call.");
                await Task.WhenAll(cold.Select(ReadAsync));
            }
        }
        finally
        {
            partition.Unpin(pinned);
        }
    }

    /// <summary>
    /// A listing of <paramref name="state"/> tasks (<see cref="QueuePartition.ListTasks"/>) that reaches cold segments:
    /// reads them back and walks again, until a walk finds none cold. Every segment a walk reached, warm or cold,
    /// stays pinned until this returns, as in <see cref="WarmAsync"/>: a busy partition's writes would otherwise evict
    /// what an earlier round walked or read, and each round would find new segments cold until the listing gave up.
    /// </summary>
    public async Task<List<TaskInfo>> ListAsync(TaskState state, int limit, int maxRounds)
    {
        var pinned = new HashSet<long>();
        try
        {
            for (var round = 0; ; round++)
            {
                var cold = new HashSet<long>();
                var page = partition.ListTasks(state, limit, cold);
                var reached = page.Select(task => TaskSegment.NumberOf(task.Id.Sequence)).Concat(cold).Where(pinned.Add).ToList();
                partition.Pin(reached);
                if (cold.Count == 0) return page;
                if (round == maxRounds) throw new TaskQueueUnavailableException($"Could not read the segments listing {state} tasks of queue partition {key} needs; retry the call.");
                await Task.WhenAll(cold.Select(ReadAsync));
            }
        }
        finally
        {
            partition.Unpin(pinned);
        }
    }

    private Task ReadAsync(long number)
    {
        if (_reading.TryGetValue(number, out var reading)) return reading;
        reading = ReadAndWarmAsync(number);
        if (!reading.IsCompleted) _reading[number] = reading;
        return reading;
    }

    private async Task ReadAndWarmAsync(long number)
    {
        try
        {
            metrics.ReadBack(queue);
            var read = await store.ReadSegmentAsync(number);
            if (read.Segment is { } segment)
            {
                if (partition.Warm(segment)) onWarmed();
                return;
            }
            // Gone from Redis (or unreadable): its tasks cannot run, but they must not block their priority level.
            var lost = partition.ForgetColdSegment(number);
            if (lost == 0) return;
            metrics.Lost(queue, lost);
            LogColdSegmentLost(read.Error, key, number, lost);
            onLost();
        }
        catch (Exception ex)
        {
            LogColdSegmentReadFailed(ex, key, number);
            throw;
        }
        finally
        {
            _reading.Remove(number);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue partition {Partition}: segment {Segment} was held in Redis only, and Redis no longer has it (or it cannot be read); its {Lost} waiting tasks and dead letters are lost")]
    private partial void LogColdSegmentLost(Exception? exception, string partition, long segment, int lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue partition {Partition}: reading segment {Segment} back from Redis failed")]
    private partial void LogColdSegmentReadFailed(Exception exception, string partition, long segment);
}
