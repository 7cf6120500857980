using System.Diagnostics;
using System.Text.Json;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench.Scenarios;

/// <summary>
/// Sequential round trips on a warm, idle worker: submit one dtq.noop, wait for its result, repeat. Each round
/// trip is timed from before the submit to the result in hand; the submit alone is timed too.
/// </summary>
internal static class Latency
{
    public static async Task<Report> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var trips = options.TasksOr(2_000, 200);
        var report = new Report("latency");
        report.Set("settings.round_trips_per_run", trips);
        report.Set("settings.task", BuiltInTasks.NoOp);
        report.Set("settings.worker_concurrency", 8);
        report.Set("settings.silos", 1);
        await using var cluster = await BenchCluster.StartAsync(1, 8, SiloKind.Stock, cancellationToken);
        await cluster.WarmUpAsync(2_000, cancellationToken);
        // Warm the round-trip path itself for a few seconds, then let the JIT's background tier-up finish: the
        // runtime delays call counting while new methods keep appearing, so without the pause the first timed
        // run measured partly unoptimized code (it ran 2x slower than the rest).
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(5)) await RoundTripsAsync(cluster.Client, 200, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var p50 = new List<double>();
        var p99 = new List<double>();
        var max = new List<double>();
        var submitP50 = new List<double>();
        var submitP99 = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var (total, submit) = await RoundTripsAsync(cluster.Client, trips, cancellationToken);
            p50.Add(Stats.Percentile(total, 50));
            p99.Add(Stats.Percentile(total, 99));
            max.Add(total.Max());
            submitP50.Add(Stats.Percentile(submit, 50));
            submitP99.Add(Stats.Percentile(submit, 99));
            Console.WriteLine($"   run {run}: p50 {p50[^1]:0.00} ms, p99 {p99[^1]:0.00} ms, max {max[^1]:0.00} ms (submit alone p50 {submitP50[^1]:0.00} ms)");
        }
        report.Add("p50_ms", Summary.Of(p50), 2);
        report.Add("p99_ms", Summary.Of(p99), 2);
        report.Add("max_ms", Summary.Of(max), 2);
        report.Add("submit_only_p50_ms", Summary.Of(submitP50), 2);
        report.Add("submit_only_p99_ms", Summary.Of(submitP99), 2);
        return report;
    }

    private static async Task<(List<double> Total, List<double> Submit)> RoundTripsAsync(TaskClient client, int trips, CancellationToken cancellationToken)
    {
        var total = new List<double>(trips);
        var submit = new List<double>(trips);
        for (var i = 0; i < trips; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            var id = await client.SubmitAsync(BuiltInTasks.NoOp, "null", BenchCluster.Queue);
            var submitted = Stopwatch.GetTimestamp();
            await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(30), cancellationToken);
            var end = Stopwatch.GetTimestamp();
            submit.Add(Load.Ms(submitted - start));
            total.Add(Load.Ms(end - start));
        }
        return (total, submit);
    }
}
