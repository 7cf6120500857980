using System.Diagnostics;

namespace DistributedTaskQueue.Bench.Infra;

internal static class Load
{
    /// <summary>
    /// Runs <paramref name="operation"/> for indexes 0..count-1 with at most <paramref name="inFlight"/> running at
    /// once: that many async loops take the next index each. No thread ever blocks or spins.
    /// </summary>
    public static Task RunBoundedAsync(long count, int inFlight, Func<long, Task> operation, CancellationToken cancellationToken)
    {
        long next = -1;
        async Task LoopAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count) return;
                cancellationToken.ThrowIfCancellationRequested();
                await operation(index);
            }
        }
        var loops = (int)Math.Min(inFlight, Math.Max(count, 1));
        return Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(LoopAsync, cancellationToken)));
    }

    /// <summary>
    /// Polls the queue's statistics every 50 ms until <c>Succeeded</c> reaches <paramref name="target"/>; returns
    /// <paramref name="clock"/>'s reading at that poll (so the figure has 50 ms resolution). Fails when a task is
    /// dead-lettered or nothing moves for <paramref name="stall"/>.
    /// </summary>
    public static async Task<TimeSpan> WaitSucceededAsync(
        TaskClient client, string queue, long target, long deadLetteredBefore, Stopwatch clock, TimeSpan stall, CancellationToken cancellationToken)
    {
        var lastProgress = Stopwatch.StartNew();
        long last = -1;
        while (true)
        {
            var stats = await client.GetQueueStatsAsync(queue);
            if (stats.Succeeded >= target) return clock.Elapsed;
            if (stats.DeadLettered > deadLetteredBefore)
                throw new InvalidOperationException($"{stats.DeadLettered - deadLetteredBefore} task(s) were dead-lettered on queue {queue}.");
            if (stats.Succeeded != last)
            {
                last = stats.Succeeded;
                lastProgress.Restart();
            }
            else if (lastProgress.Elapsed > stall)
            {
                throw new TimeoutException($"Queue {queue}: no task finished for {stall.TotalSeconds:0} s (succeeded {stats.Succeeded} of {target}, pending {stats.Pending}, running {stats.Running}).");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    public static double Ms(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;
}
