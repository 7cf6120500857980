using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// Submits the way a web app does: 1, 8 and 64 producers, each awaiting one <c>SubmitAsync</c> of dtq.noop at a
/// time, from a freshly started client process (the bench's <c>producer-client</c> mode) against a freshly started
/// Redis and stock silo (worker concurrency 8, consuming as the tasks arrive). For each producer count and task
/// count: submits/s and submit p50 / p99 as the client saw them; and, over the window from the client's launch to
/// the silo's stats showing every task succeeded, Redis calls, bytes received and AOF growth per task, and CPU
/// per task of the client, the silo and Redis.
/// </summary>
internal static class Producers
{
    public static readonly int[] ProducerCounts = [1, 8, 64];

    public const int WorkerConcurrency = 8;

    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(2);

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        int[] taskCounts = options.Tasks is { } n ? [n] : options.Quick ? [2_000, 10_000] : [20_000, 100_000];
        var report = new Report("producers");
        report.Set("settings.task", BuiltInTasks.NoOp);
        report.Set("settings.task_counts", new JsonArray([.. taskCounts.Select(t => (JsonNode?)t)]));
        report.Set("settings.producer_counts", new JsonArray([.. ProducerCounts.Select(p => (JsonNode?)p)]));
        report.Set("settings.worker_concurrency", WorkerConcurrency);
        report.Set("settings.fresh", "a new redis-server, silo process and client process for every producer count, task count and run");
        report.Set("settings.cost_window", "client launch to the silo's stats showing every task succeeded (submit, lease, complete); idle rate measured over 2 s first");
        var samples = new Dictionary<(int Producers, int Tasks), List<Sample>>();
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var tasks in taskCounts)
            {
                foreach (var producers in ProducerCounts)
                {
                    var sample = await MeasureAsync(producers, tasks, cancellationToken);
                    if (!samples.TryGetValue((producers, tasks), out var list)) samples[(producers, tasks)] = list = [];
                    list.Add(sample);
                    Console.WriteLine(
                        $"   run {run}: {producers,2} producers, {tasks:N0} tasks: {sample.SubmitsPerSec,8:N0} submits/s (2nd half {sample.SecondHalfPerSec:N0}/s), " +
                        $"p50 {sample.P50Ms:0.00} ms, p99 {sample.P99Ms:0.00} ms; {sample.CallsPerTask:0.000} Redis calls/task " +
                        $"({string.Join(", ", sample.ByCommand.OrderByDescending(c => c.Value).Take(4).Select(c => $"{c.Key} {c.Value:0.000}"))}), " +
                        $"{sample.InputBytesPerTask:N0} B in/task; CPU µs/task client {sample.ClientCpuUs:0} silo {sample.SiloCpuUs:0} redis {sample.RedisCpuUs:0}; " +
                        $"client connected {sample.ConnectMs:N0} ms after its start");
                }
            }
        }
        foreach (var ((producers, tasks), list) in samples.OrderBy(s => s.Key.Tasks).ThenBy(s => s.Key.Producers))
        {
            var prefix = $"tasks_{tasks}.producers_{producers}.";
            report.Add(prefix + "submits_per_sec", Summary.Of(list.Select(s => s.SubmitsPerSec)), 0);
            report.Add(prefix + "second_half_submits_per_sec", Summary.Of(list.Select(s => s.SecondHalfPerSec)), 0);
            report.Add(prefix + "submit_p50_ms", Summary.Of(list.Select(s => s.P50Ms)), 2);
            report.Add(prefix + "submit_p99_ms", Summary.Of(list.Select(s => s.P99Ms)), 2);
            report.Add(prefix + "first_submit_ms", Summary.Of(list.Select(s => s.FirstSubmitMs)), 1);
            report.Add(prefix + "client_start_to_connected_ms", Summary.Of(list.Select(s => s.ConnectMs)), 0);
            report.Add(prefix + "drain_after_client_exit_ms", Summary.Of(list.Select(s => s.DrainMs)), 0);
            report.Add(prefix + "redis_calls_per_task", Summary.Of(list.Select(s => s.CallsPerTask)), 3);
            report.Add(prefix + "redis_calls_per_task_net_of_idle", Summary.Of(list.Select(s => s.NetCallsPerTask)), 3);
            report.Add(prefix + "redis_input_bytes_per_task", Summary.Of(list.Select(s => s.InputBytesPerTask)), 0);
            report.Add(prefix + "aof_bytes_per_task", Summary.Of(list.Select(s => s.AofBytesPerTask)), 0);
            report.Add(prefix + "client_cpu_us_per_task", Summary.Of(list.Select(s => s.ClientCpuUs)), 1);
            report.Add(prefix + "silo_cpu_us_per_task", Summary.Of(list.Select(s => s.SiloCpuUs)), 1);
            report.Add(prefix + "redis_cpu_us_per_task", Summary.Of(list.Select(s => s.RedisCpuUs)), 1);
            // The commands that matter per task; connection set-up and membership (well under 0.01 a task) are left out.
            foreach (var command in list.SelectMany(s => s.ByCommand.Where(c => c.Value >= 0.01).Select(c => c.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                report.Add(prefix + "by_command_calls_per_task." + command, Summary.Of(list.Select(s => s.ByCommand.GetValueOrDefault(command))), 3);
        }
        return report;
    }

    private static async Task<Sample> MeasureAsync(int producers, int tasks, CancellationToken cancellationToken)
    {
        await using var redis = await RedisProcess.StartAsync(cancellationToken);
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await SiloProcess.StartAsync("silo-1", redis.ConnectionString, clusterId, BenchCluster.Queue, WorkerConcurrency, SiloKind.Stock, cancellationToken);
        try
        {
            var idleBefore = await redis.CountersAsync();
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(IdleWindow, cancellationToken);
            var idlePerSecond = ((await redis.CountersAsync()).TotalCalls - idleBefore.TotalCalls) / idleClock.Elapsed.TotalSeconds;

            var before = await redis.CountersAsync();
            var siloCpuBefore = silo.CpuSeconds();
            var clock = Stopwatch.StartNew();
            var client = await ClientProcess.RunAsync(redis.ConnectionString, clusterId, clusterId, BenchCluster.Queue,
                ["--producers", producers.ToString(CultureInfo.InvariantCulture), "--tasks", tasks.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromSeconds(60 + (tasks / 200)), cancellationToken);
            var clientExited = clock.Elapsed;
            await WaitSucceededAsync(silo, tasks, cancellationToken);
            var window = clock.Elapsed;
            var after = await redis.CountersAsync();
            var siloCpu = silo.CpuSeconds() - siloCpuBefore;
            var f = client.Figures;
            var calls = after.TotalCalls - before.TotalCalls;
            return new Sample(
                SubmitsPerSec: (double)f["submits_per_sec"]!,
                SecondHalfPerSec: (double)f["second_half_submits_per_sec"]!,
                P50Ms: (double)f["p50_ms"]!,
                P99Ms: (double)f["p99_ms"]!,
                FirstSubmitMs: (double)f["first_submit_ms"]!,
                ConnectMs: (double)f["main_to_connected_ms"]!,
                DrainMs: (window - clientExited).TotalMilliseconds,
                CallsPerTask: calls / (double)tasks,
                NetCallsPerTask: Math.Max(0, calls - (idlePerSecond * window.TotalSeconds)) / tasks,
                ByCommand: after.CallsSince(before).ToDictionary(c => c.Key, c => c.Value / (double)tasks, StringComparer.Ordinal),
                InputBytesPerTask: (after.InputBytes - before.InputBytes) / (double)tasks,
                AofBytesPerTask: (after.AofBytes - before.AofBytes) / (double)tasks,
                ClientCpuUs: (double)f["cpu_ms_measured"]! * 1000 / tasks,
                SiloCpuUs: siloCpu * 1e6 / tasks,
                RedisCpuUs: (after.CpuSeconds - before.CpuSeconds) * 1e6 / tasks);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{producers} producers, {tasks} tasks failed (silo log {silo.LogPath}): {ex.Message}", ex);
        }
    }

    /// <summary>Polls the silo's JSON API (no Orleans client in this process) until every task succeeded.</summary>
    public static async Task WaitSucceededAsync(SiloProcess silo, long target, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var uri = new Uri($"http://127.0.0.1:{silo.HttpPort}/api/queues/{BenchCluster.Queue}/stats");
        var lastProgress = Stopwatch.StartNew();
        long last = -1;
        while (true)
        {
            var stats = await http.GetFromJsonAsync<JsonObject>(uri, cancellationToken) ?? throw new InvalidOperationException("no stats");
            var succeeded = (long)stats["succeeded"]!;
            if (succeeded >= target) return;
            if ((long)stats["deadLettered"]! > 0) throw new InvalidOperationException($"{stats["deadLettered"]} task(s) were dead-lettered.");
            if (succeeded != last)
            {
                last = succeeded;
                lastProgress.Restart();
            }
            else if (lastProgress.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"No task finished for 60 s (succeeded {succeeded} of {target}).");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private sealed record Sample(
        double SubmitsPerSec, double SecondHalfPerSec, double P50Ms, double P99Ms, double FirstSubmitMs, double ConnectMs, double DrainMs,
        double CallsPerTask, double NetCallsPerTask, Dictionary<string, double> ByCommand, double InputBytesPerTask, double AofBytesPerTask,
        double ClientCpuUs, double SiloCpuUs, double RedisCpuUs);
}
