using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// What a cold silo pays. Each run, on a fresh redis-server:
/// (1) Start to consuming, the way BullMQ's "worker start to consuming" is measured: a first silo (its own cluster id,
/// the same service id, serving another queue) takes one dtq.noop into the bench queue and is stopped (SIGTERM), so
/// the task waits in Redis. Then the measured silo (a new cluster id, same service id, serving the bench queue) is launched:
/// the figure is that task's <c>StartedAt</c> (stamped by the silo when it leases the task to its own worker, read
/// from the same machine clock as the launch) minus the wall clock just before the launch. No client is involved.
/// (2) At the same launch, this process polls the silo's gateway port (TCP connect every 5 ms); as soon as it
/// accepts, it connects a <see cref="TaskClient"/> (retried every 20 ms), submits one dtq.noop and waits for its
/// result: each milestone is reported from the launch. This process's client code is warmed first by an untimed
/// run, so these are the silo's and the Orleans client's connect costs, not the bench's own JIT.
/// (3) A fresh client process (<c>producer-client</c>) then does 20 warm-up round trips and 500 timed ones against
/// that silo: p50 / p99. (4) Idle RSS: another stock silo (own cluster), with its web host, doing nothing for 20 s.
/// </summary>
internal static class Cold
{
    public const int WarmUps = 20;
    public const int RoundTrips = 500;
    public static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(20);

    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var report = new Report("cold");
        report.Set("settings.task", BuiltInTasks.NoOp);
        report.Set("settings.worker_concurrency", 8);
        report.Set("settings.start_to_consuming", "a task waiting in Redis before the launch: its StartedAt (silo clock) minus the wall clock at the launch");
        report.Set("settings.submit_at_gateway_open", "this process (client code warmed by an untimed run) connects as soon as the gateway port accepts, submits one task, waits for it");
        report.Set("settings.round_trips", $"fresh client process: {WarmUps} warm-ups, then {RoundTrips} timed, against the silo that has run one task");
        report.Set("settings.idle_rss", $"a second stock silo (web host, Redis clustering, no tasks) {IdleAfter.TotalSeconds:0} s after its launch");
        Console.WriteLine("   untimed warm-up of this process's client ...");
        await MeasureAsync(roundTrips: false, idleRss: false, cancellationToken);
        var samples = new List<Sample>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var s = await MeasureAsync(roundTrips: true, idleRss: true, cancellationToken);
            samples.Add(s);
            Console.WriteLine(
                $"   run {run}: waiting task started {s.PreloadedStartedMs:N0} ms; gateway open {s.GatewayMs:N0} ms, client connected {s.ConnectedMs:N0} ms ({s.ConnectAttempts} attempts, the last {s.LastConnectAttemptMs:N0} ms), submit acknowledged {s.SubmittedMs:N0} ms, " +
                $"first task started {s.StartedMs:N0} ms, result in hand {s.ResultMs:N0} ms, healthz {s.HealthyMs:N0} ms after launch; " +
                $"round trips p50 {s.P50Ms:0.00} ms, p99 {s.P99Ms:0.00} ms, max {s.MaxMs:0.00} ms (first {s.FirstTripMs:0.0} ms, client connected {s.ClientConnectMs:N0} ms after its start); " +
                $"idle silo RSS {s.IdleRssMb:0.0} MB, used silo {s.UsedRssMb:0.0} MB");
        }
        report.Add("launch_to_waiting_task_started_ms", Summary.Of(samples.Select(s => s.PreloadedStartedMs)), 0);
        report.Add("launch_to_gateway_open_ms", Summary.Of(samples.Select(s => s.GatewayMs)), 0);
        report.Add("launch_to_client_connected_ms", Summary.Of(samples.Select(s => s.ConnectedMs)), 0);
        report.Add("client_connect_attempts", Summary.Of(samples.Select(s => (double)s.ConnectAttempts)), 0);
        report.Add("client_last_connect_attempt_ms", Summary.Of(samples.Select(s => s.LastConnectAttemptMs)), 0);
        report.Add("launch_to_submit_acknowledged_ms", Summary.Of(samples.Select(s => s.SubmittedMs)), 0);
        report.Add("launch_to_first_task_started_ms", Summary.Of(samples.Select(s => s.StartedMs)), 0);
        report.Add("launch_to_first_result_ms", Summary.Of(samples.Select(s => s.ResultMs)), 0);
        report.Add("launch_to_healthz_ms", Summary.Of(samples.Select(s => s.HealthyMs)), 0);
        report.Add("round_trip_p50_ms", Summary.Of(samples.Select(s => s.P50Ms)), 2);
        report.Add("round_trip_p99_ms", Summary.Of(samples.Select(s => s.P99Ms)), 2);
        report.Add("round_trip_max_ms", Summary.Of(samples.Select(s => s.MaxMs)), 2);
        report.Add("round_trip_first_ms", Summary.Of(samples.Select(s => s.FirstTripMs)), 1);
        report.Add("round_trip_client_start_to_connected_ms", Summary.Of(samples.Select(s => s.ClientConnectMs)), 0);
        report.Add("idle_silo_rss_mb", Summary.Of(samples.Select(s => s.IdleRssMb)), 1);
        report.Add("silo_rss_after_round_trips_mb", Summary.Of(samples.Select(s => s.UsedRssMb)), 1);
        return report;
    }

    private static async Task<Sample> MeasureAsync(bool roundTrips, bool idleRss, CancellationToken cancellationToken)
    {
        await using var redis = await RedisProcess.StartAsync(cancellationToken);
        var serviceId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var waiting = await LeaveATaskWaitingAsync(redis, serviceId, cancellationToken);
        var clusterId = serviceId + "-b";
        await using var silo = await SiloProcess.StartAsync("silo-1", redis.ConnectionString, clusterId, BenchCluster.Queue, 8, SiloKind.Stock, cancellationToken,
            serviceId: serviceId, waitHealthy: false);
        double Since() => Load.Ms(Stopwatch.GetTimestamp() - silo.LaunchedTimestamp);
        var healthy = WaitHealthyAsync(silo, cancellationToken);
        await WaitListeningAsync(silo, cancellationToken);
        var gatewayMs = Since();
        var (client, attempts, lastAttemptMs) = await ConnectAsync(redis.ConnectionString, clusterId, serviceId, cancellationToken);
        double connectedMs, submittedMs, resultMs, startedMs, preloadedMs;
        await using (client)
        {
            connectedMs = Since();
            var id = await client.SubmitAsync(BuiltInTasks.NoOp, "null", BenchCluster.Queue);
            submittedMs = Since();
            await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(60), cancellationToken);
            resultMs = Since();
            var info = await client.GetTaskAsync(id) ?? throw new InvalidOperationException("The first task is unknown.");
            startedMs = ((info.StartedAt ?? throw new InvalidOperationException("The first task has no StartedAt.")) - silo.LaunchedAt).TotalMilliseconds;
            await client.WaitForResultAsync<JsonElement>(waiting, TimeSpan.FromSeconds(60), cancellationToken);
            var preloaded = await client.GetTaskAsync(waiting) ?? throw new InvalidOperationException("The waiting task is unknown.");
            preloadedMs = ((preloaded.StartedAt ?? throw new InvalidOperationException("The waiting task has no StartedAt.")) - silo.LaunchedAt).TotalMilliseconds;
        }
        var healthyMs = await healthy;
        if (!roundTrips) return new Sample(preloadedMs, gatewayMs, connectedMs, attempts, lastAttemptMs, submittedMs, startedMs, resultMs, healthyMs, 0, 0, 0, 0, 0, 0, 0);

        var trips = await ClientProcess.RunAsync(redis.ConnectionString, clusterId, serviceId, BenchCluster.Queue,
            ["--round-trips", RoundTrips.ToString(CultureInfo.InvariantCulture), "--warm-ups", WarmUps.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(120), cancellationToken);
        var f = trips.Figures;
        var usedRss = silo.ResidentBytes() / 1e6;
        var idleRssMb = idleRss ? await IdleRssAsync(redis, cancellationToken) : 0;
        return new Sample(preloadedMs, gatewayMs, connectedMs, attempts, lastAttemptMs, submittedMs, startedMs, resultMs, healthyMs,
            (double)f["p50_ms"]!, (double)f["p99_ms"]!, (double)f["max_ms"]!, (double)f["first_round_trip_ms"]!, (double)f["main_to_connected_ms"]!,
            idleRssMb, usedRss);
    }

    /// <summary>
    /// A silo of another cluster (same service id, so the same stored partitions) that serves another queue takes one
    /// task into the bench queue and is stopped: the task waits in Redis for the next silo that serves the queue.
    /// </summary>
    private static async Task<TaskId> LeaveATaskWaitingAsync(RedisProcess redis, string serviceId, CancellationToken cancellationToken)
    {
        var clusterId = serviceId + "-a";
        await using var seed = await SiloProcess.StartAsync("seed", redis.ConnectionString, clusterId, "other", 8, SiloKind.Stock, cancellationToken, serviceId: serviceId);
        var (client, _, _) = await ConnectAsync(redis.ConnectionString, clusterId, serviceId, cancellationToken);
        TaskId id;
        await using (client) id = await client.SubmitAsync(BuiltInTasks.NoOp, "null", BenchCluster.Queue);
        // Stopped, not killed: a partition closed cleanly is served at once by the next activation. After a crash the
        // next one holds dispatch back for TaskQueue:FailoverHoldBack (3 s), so that live workers can renew what the
        // dead host handed out; that is a fault's cost, measured by ./chaos.sh, not a start's.
        await seed.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        return id;
    }

    /// <summary>VmRSS of a stock silo that has done nothing for <see cref="IdleAfter"/> since its launch.</summary>
    internal static async Task<double> IdleRssAsync(RedisProcess redis, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var clusterId = "idle-" + Guid.NewGuid().ToString("N")[..8];
        await using var idle = await SiloProcess.StartAsync("idle", redis.ConnectionString, clusterId, BenchCluster.Queue, 8, SiloKind.Stock, cancellationToken, settings: settings);
        var wait = IdleAfter - TimeSpan.FromMilliseconds(Load.Ms(Stopwatch.GetTimestamp() - idle.LaunchedTimestamp));
        if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
        return idle.ResidentBytes() / 1e6;
    }

    private static async Task<double> WaitHealthyAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        await silo.WaitHealthyAsync(cancellationToken);
        return Load.Ms(Stopwatch.GetTimestamp() - silo.LaunchedTimestamp);
    }

    /// <summary>Returns once the silo's gateway port accepts a TCP connection (polled every 5 ms).</summary>
    private static async Task WaitListeningAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort), cancellationToken);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(5, cancellationToken);
            }
        }
    }

    /// <summary>Connects as soon as the membership table lists the silo's gateway (retried every 20 ms).</summary>
    /// <returns>The client, how many attempts it took, and how long the successful one took.</returns>
    private static async Task<(TaskClient Client, int Attempts, double LastAttemptMs)> ConnectAsync(string redis, string clusterId, string serviceId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                var client = await TaskClient.ConnectAsync(redis, o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                }, cancellationToken);
                return (client, attempt, Load.Ms(Stopwatch.GetTimestamp() - start));
            }
            catch (TaskQueueUnavailableException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private sealed record Sample(
        double PreloadedStartedMs, double GatewayMs, double ConnectedMs, int ConnectAttempts, double LastConnectAttemptMs, double SubmittedMs, double StartedMs, double ResultMs, double HealthyMs,
        double P50Ms, double P99Ms, double MaxMs, double FirstTripMs, double ClientConnectMs, double IdleRssMb, double UsedRssMb);
}
