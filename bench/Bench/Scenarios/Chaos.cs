using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// Faults on real processes, checked in the manner of Jepsen's queue checks (<c>./chaos.sh kill|pause</c>). Three silo
/// processes (this assembly's silo-host) on one Redis; a second Redis, never touched by a fault, is the ledger where
/// each handler logs its start, its finish and its effect (SETNX, as an idempotent handler writes it). A producer
/// submits <c>dtq.sleep</c> tasks of 10-200 ms at a steady rate with single submits and logs each outcome, while a
/// nemesis applies the scenario's faults: <c>kill</c> SIGKILLs one silo every 10 s, rotating, and starts a new process
/// in its place 3 s later (as a Deployment would); <c>pause</c> SIGSTOPs the silo hosting the queue's partition for
/// longer than failure detection, then SIGCONTs it. After the queue drains the checker counts: lost (acknowledged,
/// never succeeded), duplicate effects (a task's effect reached more than once), reexecuted (a task run again although
/// its first runner was never killed), unexpected (ran but never acknowledged), in flight at each fault, recovery time
/// (fault to completions back at 90 % of the rate before it) and submit errors, and fails when a target is missed.
/// </summary>
internal static class Chaos
{
    private const int Silos = 3;
    private const int Rate = 150;
    private static readonly TimeSpan KillEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PauseFor = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(3);

    public static async Task<Report> RunAsync(string scenario, BenchOptions options, CancellationToken cancellationToken)
    {
        // --quick (chaos.sh --short): 47 s at the paced rate, so the kill scenario makes at least three kills (one every 12-15 s
        // with the restarts), as issue 12 asks of the CI form (four measured).
        var tasks = options.TasksOr(20_000, 7_000);
        var report = new Report("chaos-" + scenario);
        report.Set("settings.silos", Silos);
        report.Set("settings.tasks", tasks);
        report.Set("settings.submits_per_sec", Rate);
        report.Set("settings.task", $"{BuiltInTasks.Sleep} 10-200 ms");
        report.Set("settings.faults", scenario switch
        {
            "kill" => $"SIGKILL one silo every {KillEvery.TotalSeconds:0} s, rotating; a new process {RestartAfter.TotalSeconds:0} s later",
            "pause" => $"SIGSTOP the partition's host {PauseFor.TotalSeconds:0} s after the start, for {PauseFor.TotalSeconds:0} s",
            "rolling" => "a rolling restart, twice over every silo: a new silo started, then the old one stopped with SIGTERM and its grace period",
            _ => $"SIGKILL Redis {RedisDownAt.TotalSeconds:0} s after the start, restart it {RedisDownFor.TotalSeconds:0} s later (persistence: {RedisPersistence(scenario)})",
        });

        await using var ledger = await RedisProcess.StartAsync(cancellationToken);
        var settings = new Dictionary<string, string> { [RunLog.Variable] = ledger.ConnectionString };
        await using var cluster = await BenchCluster.StartAsync(Silos, 8, SiloKind.Counting, cancellationToken, settings, RedisPersistence(scenario));
        // The cluster's start-up round trip ran a task too: the checker counts only what this run submitted.
        await ledger.Admin.GetDatabase().ExecuteAsync("FLUSHALL");

        var submits = new ConcurrentBag<Submit>();
        var producer = ProduceAsync(cluster.Client, tasks, submits, cancellationToken);
        var faults = new List<Fault>();
        switch (scenario)
        {
            case "kill": await KillAsync(cluster, producer, faults, settings, cancellationToken); break;
            case "pause": await PauseAsync(cluster, faults, cancellationToken); break;
            case "rolling": await RollAsync(cluster, faults, settings, cancellationToken); break;
            default: await KillRedisAsync(cluster, faults, cancellationToken); break;
        }
        await producer;
        foreach (var fault in faults) Console.WriteLine($"   {fault.At:HH:mm:ss.f} {fault.What}");

        var drained = await DrainAsync(cluster.Client, cancellationToken);
        var verdict = await ChaosChecker.CheckAsync(cluster.Client, ledger.Admin, [.. submits], faults);
        foreach (var example in verdict.Examples) Console.WriteLine($"   e.g. {example}");
        Console.WriteLine($"   acknowledged {verdict.Acknowledged:N0} of {tasks:N0}, queue drained: {(drained ? "yes" : "no")}; " +
            $"submit p50 {verdict.SubmitP50:0.0} ms, max {verdict.SubmitMax:0} ms; longest time without an acknowledgement {verdict.LongestGap:0} ms; " +
            $"runs {verdict.Runs:N0}, stale completions {verdict.StaleCompletions:N0}");
        var line = string.Create(CultureInfo.InvariantCulture,
            $"chaos {scenario}: lost={verdict.Lost} duplicate_effects={verdict.DuplicateEffects} reexecuted={verdict.Reexecuted} inflight_at_faults={verdict.InFlightAtFaults} recovery_s={verdict.RecoverySeconds:0.0} submit_errors={verdict.SubmitErrors} submit_p99_ms={verdict.SubmitP99:0} unexpected={verdict.Unexpected}");

        report.Set("faults_applied", new System.Text.Json.Nodes.JsonArray(faults.Select(f => (System.Text.Json.Nodes.JsonNode?)$"{f.At:O} {f.What}").ToArray()));
        report.Set("drained", drained);
        foreach (var (name, value) in verdict.Figures()) report.Add(name, Summary.Of([value]), name.EndsWith("_s", StringComparison.Ordinal) ? 1 : 0);
        report.Set("line", line);
        // Failure detection as shipped (FailureDetectionOptions: a silo is declared dead within about 10 s), plus 5 s.
        var missed = verdict.Missed(drained, TimeSpan.FromSeconds(15));
        report.Set("targets_missed", string.Join(", ", missed));
        Console.WriteLine(line);
        switch (scenario)
        {
            // The negative control passes exactly when the checker sees the loss that Redis without persistence causes.
            case "control" when verdict.Lost == 0:
                report.Failure = "chaos control: the checker saw no loss after Redis restarted with nothing persisted";
                break;
            case "control" or "redis-everysec":
                // everysec may lose up to a second of writes: reported, not a failure.
                break;
            case "rolling" when missed.Count > 0 || verdict.LateFinishes > 0:
                // A graceful stop finishes or hands back what runs: a task that finished must never run again.
                report.Failure = $"chaos rolling missed its targets: {string.Join(", ", missed.Append($"late_finishes={verdict.LateFinishes}"))}";
                break;
            default:
                if (missed.Count > 0) report.Failure = $"chaos {scenario} missed its targets: {string.Join(", ", missed)}";
                break;
        }
        return report;
    }

    internal sealed record Submit(TaskId? Id, string? Error, double Milliseconds, DateTimeOffset At);

    /// <summary>A nemesis step; <see cref="Faulted"/> when it took a silo away (a kill or a freeze, not a restart or a thaw).</summary>
    internal sealed record Fault(DateTimeOffset At, string What, string Victim, bool Faulted);

    private static async Task KillAsync(BenchCluster cluster, Task producer, List<Fault> faults, Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var restarts = 0;
        for (var victim = 0; ; victim = (victim + 1) % cluster.Silos.Count)
        {
            await Task.WhenAny(producer, Task.Delay(KillEvery - RestartAfter, cancellationToken));
            if (producer.IsCompleted) return;
            var silo = cluster.Silos[victim];
            await SignalAsync(silo.ProcessId, "KILL");
            await silo.DisposeAsync();
            // Stamped once the process is gone: anything it logged up to its death counts as in flight at the fault.
            faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"SIGKILL {silo.Name}", silo.Name, Faulted: true));
            await Task.Delay(RestartAfter, cancellationToken);
            var name = $"{silo.Name.Split('~')[0]}~{++restarts}";
            cluster.Silos[victim] = await SiloProcess.StartAsync(name, cluster.Redis.ConnectionString, cluster.ClusterId, BenchCluster.Queue, 8, SiloKind.Counting, cancellationToken, settings: settings);
            faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"{name} serving", name, Faulted: false));
        }
    }

    /// <summary>Twice over every silo: a new process first (as a Deployment surges), then the old one stopped gracefully.</summary>
    private static async Task RollAsync(BenchCluster cluster, List<Fault> faults, Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var restarts = 0;
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < cluster.Silos.Count; i++)
            {
                var old = cluster.Silos[i];
                var name = $"{old.Name.Split('~')[0]}~{++restarts}";
                cluster.Silos[i] = await SiloProcess.StartAsync(name, cluster.Redis.ConnectionString, cluster.ClusterId, BenchCluster.Queue, 8, SiloKind.Counting, cancellationToken, settings: settings);
                faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"{name} serving; SIGTERM {old.Name}", old.Name, Faulted: false));
                await old.StopGracefullyAsync(TimeSpan.FromSeconds(60));
                // Stamped once it is gone: what it started and did not finish by then was handed back (or is a re-run).
                faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"{old.Name} stopped", old.Name, Faulted: true));
                await old.DisposeAsync();
            }
        }
    }

    private static readonly TimeSpan RedisDownAt = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RedisDownFor = TimeSpan.FromSeconds(5);

    private static string RedisPersistence(string scenario) => scenario switch
    {
        "redis" => "always",
        "control" => "off",
        _ => "everysec",
    };

    /// <summary>Redis itself crashes (SIGKILL) and comes back on its AOF, or, for the control, with nothing.</summary>
    private static async Task KillRedisAsync(BenchCluster cluster, List<Fault> faults, CancellationToken cancellationToken)
    {
        await Task.Delay(RedisDownAt, cancellationToken);
        await cluster.Redis.KillAsync();
        // Every silo loses its store: each counts as faulted, so tasks in flight anywhere may run again.
        foreach (var silo in cluster.Silos) faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"SIGKILL redis (silo {silo.Name} without its store)", silo.Name, Faulted: true));
        await Task.Delay(RedisDownFor, cancellationToken);
        await cluster.Redis.RestartAsync(cancellationToken);
        faults.Add(new Fault(TimeProvider.System.GetUtcNow(), "redis restarted", "redis", Faulted: false));
    }

    private static async Task PauseAsync(BenchCluster cluster, List<Fault> faults, CancellationToken cancellationToken)
    {
        await Task.Delay(PauseFor, cancellationToken);
        // The partition's host: the silo whose worker log shows it activated the queue's partition grain.
        var host = cluster.Silos.FirstOrDefault(s => s.Output.Contains($"Queue partition {BenchCluster.Queue}:0 activated", StringComparison.Ordinal)) ?? cluster.Silos[0];
        await SignalAsync(host.ProcessId, "STOP");
        faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"SIGSTOP {host.Name}", host.Name, Faulted: true));
        await Task.Delay(PauseFor, cancellationToken);
        await SignalAsync(host.ProcessId, "CONT");
        faults.Add(new Fault(TimeProvider.System.GetUtcNow(), $"SIGCONT {host.Name}", host.Name, Faulted: false));
    }

    private static async Task ProduceAsync(TaskClient client, int tasks, ConcurrentBag<Submit> submits, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(256);
        var running = new List<Task>(tasks);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < tasks; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)Rate);
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed, cancellationToken);
            await inFlight.WaitAsync(cancellationToken);
            var milliseconds = Random.Shared.Next(10, 201);
            running.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var id = await client.SubmitAsync(BuiltInTasks.Sleep, $$"""{"milliseconds":{{milliseconds}}}""", BenchCluster.Queue);
                    submits.Add(new Submit(id, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, TimeProvider.System.GetUtcNow()));
                }
                catch (TaskQueueException ex)
                {
                    submits.Add(new Submit(null, ex.GetType().Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, TimeProvider.System.GetUtcNow()));
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellationToken));
        }
        await Task.WhenAll(running);
    }

    /// <summary>Waits until nothing is pending, delayed or running (the queue has settled every acknowledged task).</summary>
    private static async Task<bool> DrainAsync(TaskClient client, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < DrainTimeout)
        {
            var stats = await client.GetQueueStatsAsync(BenchCluster.Queue);
            if (stats.Pending + stats.Delayed + stats.Running == 0) return true;
            await Task.Delay(1000, cancellationToken);
        }
        return false;
    }

    private static async Task SignalAsync(int processId, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", processId.ToString(CultureInfo.InvariantCulture)]) ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync();
    }
}
