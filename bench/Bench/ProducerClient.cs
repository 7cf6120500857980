using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DistributedTaskQueue.Bench.Infra;

namespace DistributedTaskQueue.Bench;

/// <summary>
/// <c>DistributedTaskQueue.Bench.dll producer-client</c>: an app process of its own, as a web app would be. It
/// connects a <see cref="TaskClient"/> and then either (a) runs N producers, each awaiting one <c>SubmitAsync</c> at a
/// time, or (b) does sequential submit → result round trips after a few warm-ups. It exists so the producer and
/// cold figures include what a freshly started app process pays (its own JIT, its first connection), which the
/// long-lived bench process cannot. With <c>--call read</c> the producers read one task instead of submitting: the same
/// call path to the partition grain with no write behind it, the floor a submit's call cannot go below. Progress goes
/// to stderr; the figures go to stdout as one JSON object.
/// </summary>
internal static class ProducerClient
{
    public const string Command = "producer-client";

    /// <param name="args"><c>--redis R --cluster C --service S --queue Q</c> and <c>--producers N --tasks M [--call submit|read]</c> or <c>--round-trips M --warm-ups W</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var main = Stopwatch.StartNew();
        var cpuAtMain = Process.GetCurrentProcess().TotalProcessorTime;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) values[args[i]] = args[i + 1];
        string Get(string key) => values.TryGetValue(key, out var v) ? v : throw new ArgumentException($"{Command}: {key} is missing.");
        int GetInt(string key, int fallback) => values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var queue = Get("--queue");
        var cluster = Get("--cluster");
        var service = Get("--service");
        var output = new JsonObject();

        var client = await TaskClient.ConnectAsync(Get("--redis"), o =>
        {
            o.ClusterId = cluster;
            o.ServiceId = service;
        });
        await using (client)
        {
            output["main_to_connected_ms"] = Round(main.Elapsed.TotalMilliseconds);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var roundTrips = GetInt("--round-trips", 0);
            if (roundTrips > 0) await RoundTripsAsync(client, queue, GetInt("--warm-ups", 20), roundTrips, output);
            else await ProduceAsync(client, queue, GetInt("--producers", 1), GetInt("--tasks", 1_000), values.GetValueOrDefault("--call", "submit"), output);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            output["cpu_ms_startup"] = Round((cpuBefore - cpuAtMain).TotalMilliseconds);
            output["cpu_ms_measured"] = Round((cpu - cpuBefore).TotalMilliseconds);
        }
        Console.Out.WriteLine(output.ToJsonString());
        return 0;
    }

    /// <summary>N producers, each awaiting one submit (or read) at a time, until <paramref name="tasks"/> calls are done.</summary>
    private static async Task ProduceAsync(TaskClient client, string queue, int producers, int tasks, string call, JsonObject output)
    {
        Func<Task> once = call switch
        {
            "submit" => () => client.SubmitAsync(BuiltInTasks.NoOp, "null", queue),
            "read" => await ReadOneAsync(client, queue),
            _ => throw new ArgumentException($"{Command}: --call is submit or read, not '{call}'."),
        };
        var latencies = new double[tasks];
        var done = new long[tasks];
        long next = -1;
        var clock = Stopwatch.StartNew();
        async Task ProducerAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= tasks) return;
                var start = Stopwatch.GetTimestamp();
                await once();
                var end = Stopwatch.GetTimestamp();
                latencies[index] = Load.Ms(end - start);
                done[index] = end;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(ProducerAsync)));
        var seconds = clock.Elapsed.TotalSeconds;
        // The second half alone: what the same process does once its first seconds (JIT, pools, activation) are behind it.
        Array.Sort(done);
        var half = tasks / 2;
        var secondHalfSeconds = (done[^1] - done[half - 1]) / (double)Stopwatch.Frequency;
        output["producers"] = producers;
        output["call"] = call;
        output["tasks"] = tasks;
        output["seconds"] = Math.Round(seconds, 3);
        output["submits_per_sec"] = Math.Round(tasks / seconds);
        output["second_half_submits_per_sec"] = Math.Round((tasks - half) / secondHalfSeconds);
        output["p50_ms"] = Round(Stats.Percentile(latencies, 50));
        output["p99_ms"] = Round(Stats.Percentile(latencies, 99));
        output["max_ms"] = Round(latencies.Max());
        output["first_submit_ms"] = Round(latencies[0]);
    }

    /// <summary>Submits one task (untimed) and returns a call that reads it back from its partition.</summary>
    private static async Task<Func<Task>> ReadOneAsync(TaskClient client, string queue)
    {
        var id = await client.SubmitAsync(BuiltInTasks.NoOp, "null", queue);
        return () => client.GetTaskAsync(id);
    }

    /// <summary>Sequential submit → result round trips: <paramref name="warmUps"/> untimed, then <paramref name="trips"/> timed.</summary>
    private static async Task RoundTripsAsync(TaskClient client, string queue, int warmUps, int trips, JsonObject output)
    {
        var first = Stopwatch.StartNew();
        var times = new List<double>(trips);
        for (var i = 0; i < warmUps + trips; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var id = await client.SubmitAsync(BuiltInTasks.NoOp, "null", queue);
            await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(30));
            var ms = Load.Ms(Stopwatch.GetTimestamp() - start);
            if (i == 0) output["first_round_trip_ms"] = Round(ms);
            if (i >= warmUps) times.Add(ms);
        }
        output["warm_ups"] = warmUps;
        output["round_trips"] = trips;
        output["seconds"] = Math.Round(first.Elapsed.TotalSeconds, 3);
        output["p50_ms"] = Round(Stats.Percentile(times, 50));
        output["p99_ms"] = Round(Stats.Percentile(times, 99));
        output["max_ms"] = Round(times.Max());
    }

    private static double Round(double value) => Math.Round(value, 3);
}
