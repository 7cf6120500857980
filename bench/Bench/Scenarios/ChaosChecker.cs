using System.Globalization;
using DistributedTaskQueue.Bench.Infra;
using StackExchange.Redis;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// Reads the ledger and the queue after a chaos run and counts what a user would call a failure. Targets (issue 12): nothing
/// lost, no duplicate effect (the handler writes its effect keyed by task id), no more re-executions than tasks in flight on
/// the faulted silos, recovery within failure detection + 5 s, no submit error, nothing unexpected, the queue drained.
/// </summary>
internal static class ChaosChecker
{
    /// <summary>How long after its handler ended a run's outcome may still be unwritten: a completion report and a group commit, with room.</summary>
    private static readonly TimeSpan OutcomeDurableWithin = TimeSpan.FromSeconds(1);

    private sealed record Entry(string Id, int Attempt, string Worker, DateTimeOffset At);

    public sealed record Verdict(
        int Acknowledged, int SubmitErrors, int Lost, int DuplicateEffects, int Reexecuted, int LateFinishes, int Unexpected, int InFlightAtFaults,
        double RecoverySeconds, int Runs, long StaleCompletions, double SubmitP50, double SubmitP99, double SubmitMax, double LongestGap,
        List<string> Examples)
    {
        public IEnumerable<(string Name, double Value)> Figures() =>
        [
            ("acknowledged", Acknowledged), ("lost", Lost), ("duplicate_effects", DuplicateEffects), ("reexecuted", Reexecuted), ("late_finishes", LateFinishes),
            ("unexpected", Unexpected), ("inflight_at_faults", InFlightAtFaults), ("recovery_s", RecoverySeconds),
            ("submit_errors", SubmitErrors), ("submit_p50_ms", SubmitP50), ("submit_p99_ms", SubmitP99), ("submit_max_ms", SubmitMax),
            ("longest_gap_without_ack_ms", LongestGap), ("handler_runs", Runs), ("stale_completions", StaleCompletions),
        ];

        public List<string> Missed(bool drained, TimeSpan recoveryTarget)
        {
            var missed = new List<string>();
            if (!drained) missed.Add("queue did not drain");
            if (Lost > 0) missed.Add($"lost={Lost}");
            if (DuplicateEffects > 0) missed.Add($"duplicate_effects={DuplicateEffects}");
            if (Reexecuted > InFlightAtFaults) missed.Add($"reexecuted={Reexecuted} > inflight_at_faults={InFlightAtFaults}");
            if (RecoverySeconds > recoveryTarget.TotalSeconds) missed.Add($"recovery_s={RecoverySeconds:0.0} > {recoveryTarget.TotalSeconds:0}");
            if (SubmitErrors > 0) missed.Add($"submit_errors={SubmitErrors}");
            if (Unexpected > 0) missed.Add($"unexpected={Unexpected}");
            return missed;
        }
    }

    public static async Task<Verdict> CheckAsync(TaskClient client, ConnectionMultiplexer ledger, List<Chaos.Submit> submits, List<Chaos.Fault> faults)
    {
        var db = ledger.GetDatabase();
        var starts = (await db.ListRangeAsync(RunLog.Starts)).Select(Parse).ToList();
        var finishes = (await db.ListRangeAsync(RunLog.Finishes)).Select(Parse).ToList();
        var finishesById = finishes.GroupBy(f => f.Id).ToDictionary(g => g.Key, g => g.OrderBy(f => f.At).ToList());
        var acked = submits.Where(s => s.Id is not null).Select(s => s.Id!.Value).ToList();
        var ackedIds = acked.Select(a => a.ToString()).ToHashSet(StringComparer.Ordinal);
        var examples = new List<string>();
        var startsById = starts.GroupBy(f => f.Id).ToDictionary(g => g.Key, g => g.Count());
        int lost = 0, duplicateEffects = 0, reexecuted = 0, lateFinishes = 0;
        foreach (var chunk in acked.Chunk(200))
        {
            var infos = await Task.WhenAll(chunk.Select(client.GetTaskAsync));
            var effects = await Task.WhenAll(chunk.Select(id => db.StringGetAsync($"dtq-chaos:effects:{id}")));
            for (var i = 0; i < chunk.Length; i++)
            {
                var id = chunk[i].ToString();
                var runs = finishesById.GetValueOrDefault(id) ?? [];
                if (infos[i] is not { State: TaskState.Succeeded } || runs.Count == 0)
                {
                    lost++;
                    Example(examples, $"lost {id}: {infos[i]?.State.ToString() ?? "unknown to its partition"}, {runs.Count} finished run(s)");
                }
                if (effects[i].TryParse(out long written) && written > 1) duplicateEffects++;
                if (startsById.GetValueOrDefault(id) > 1)
                {
                    reexecuted++;
                    if (runs.Count > 1)
                    {
                        lateFinishes++;
                        Example(examples, $"ran to the end twice {id}: {string.Join(", ", runs.Select(r => $"attempt {r.Attempt} on {r.Worker} at {r.At:HH:mm:ss.fff}"))}");
                    }
                }
            }
        }
        var unexpected = finishesById.Keys.Count(k => !ackedIds.Contains(k));
        // In flight at a kill: started on the victim before the kill and not finished there; or finished there so shortly
        // before it (under 1 s) that its outcome had not landed, which its re-run proves. A handler's end is not the
        // queue's: the worker reports outcomes in batches and the partition writes them with its next group commit, so a
        // SIGKILL a few milliseconds after a handler ended loses that outcome and the task runs again (at-least-once).
        // Seen in ./test.sh: finished at 48.406, the silo killed at 48.4x, run again 7 s later. A run that finished just
        // before the kill and was not run again had its outcome land: not counted.
        var inFlightIds = new HashSet<string>(StringComparer.Ordinal);
        var inFlight = 0;
        foreach (var fault in faults.Where(f => f.Faulted))
        {
            var finishedThere = finishes.Where(f => IsOn(f.Worker, fault.Victim) && f.At <= fault.At)
                .Where(f => f.At <= fault.At - OutcomeDurableWithin || startsById.GetValueOrDefault(f.Id) <= 1)
                .Select(f => (f.Id, f.Attempt)).ToHashSet();
            var caught = starts.Where(s => IsOn(s.Worker, fault.Victim) && s.At <= fault.At && !finishedThere.Contains((s.Id, s.Attempt))).ToList();
            inFlight += caught.Count;
            inFlightIds.UnionWith(caught.Select(c => c.Id));
        }
        // A re-execution of a task no fault caught in flight: a run the faults do not explain.
        foreach (var (id, count) in startsById.Where(kv => kv.Value > 1 && !inFlightIds.Contains(kv.Key)).Take(5))
        {
            var runs = starts.Where(st => st.Id == id).Select(r => $"attempt {r.Attempt} started on {r.Worker} at {r.At:HH:mm:ss.fff}");
            examples.Insert(0, $"re-executed, not in flight at a fault: {id}: {string.Join(", ", runs)}");
        }
        var latencies = submits.Select(s => s.Milliseconds).Order().ToList();
        var ackTimes = submits.Where(s => s.Id is not null).Select(s => s.At).Order().ToList();
        var gap = ackTimes.Zip(ackTimes.Skip(1), (a, b) => (b - a).TotalMilliseconds).DefaultIfEmpty(0).Max();
        var stats = await client.GetQueueStatsAsync(BenchCluster.Queue);
        return new Verdict(acked.Count, submits.Count - acked.Count, lost, duplicateEffects, reexecuted, lateFinishes, unexpected, inFlight,
            Recovery(finishes, faults), finishes.Count, stats.StaleCompletions,
            Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99), latencies.Count > 0 ? latencies[^1] : 0, gap, examples);
    }

    /// <summary>The longest time from a fault until finishes per second are back at 90 % of the 5 s before it.</summary>
    private static double Recovery(List<Entry> finishes, List<Chaos.Fault> faults)
    {
        if (finishes.Count == 0) return 0;
        var longest = 0.0;
        foreach (var fault in faults.Where(f => f.Faulted))
        {
            var before = finishes.Count(f => f.At > fault.At.AddSeconds(-5) && f.At <= fault.At) / 5.0;
            if (before == 0) continue;
            var end = finishes[^1].At;
            var recovered = double.NaN;
            for (var t = fault.At; t < end; t = t.AddSeconds(0.5))
            {
                var rate = finishes.Count(f => f.At > t && f.At <= t.AddSeconds(1));
                if (rate >= 0.9 * before)
                {
                    recovered = (t - fault.At).TotalSeconds;
                    break;
                }
            }
            // Never back to the rate before it: the producer finished first; count until the end.
            longest = Math.Max(longest, double.IsNaN(recovered) ? (end - fault.At).TotalSeconds : recovered);
        }
        return longest;
    }

    /// <summary>A worker id is <c>{silo name}@{address}</c>.</summary>
    private static bool IsOn(string worker, string silo) => worker.StartsWith(silo + "@", StringComparison.Ordinal);

    private static Entry Parse(RedisValue value)
    {
        var parts = ((string)value!).Split('|');
        return new Entry(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[3], CultureInfo.InvariantCulture)));
    }

    private static void Example(List<string> examples, string text)
    {
        if (examples.Count < 10) examples.Add(text);
    }
}
