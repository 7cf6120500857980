using System.Diagnostics;
using System.Net;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// What a watched silo is asked while it works: the Orleans dashboard's overview open in a browser (its front end
/// asks for DashboardCounters, ClusterStats and TopGrainMethods every second, which also keeps the dashboard's
/// per-method profiling switched on), our queue overview open (GET /api/queues every 2 s, as its page polls), and a
/// Prometheus scraper (GET /metrics every 15 s). Requests go one at a time, as a browser tab's and a scraper's do, each on its own wall-clock schedule.
/// </summary>
internal sealed class OperatorWatch : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <summary>What is asked, and how often: the dashboard's overview and our queue overview poll, Prometheus scrapes.</summary>
    private static readonly (string Path, TimeSpan Every)[] Schedule =
    [
        ("/dashboard/DashboardCounters", TimeSpan.FromSeconds(1)),
        ("/dashboard/ClusterStats", TimeSpan.FromSeconds(1)),
        ("/dashboard/TopGrainMethods", TimeSpan.FromSeconds(1)),
        ("/api/queues", TimeSpan.FromSeconds(2)),
        ("/metrics", TimeSpan.FromSeconds(15)),
    ];

    /// <summary>
    /// When each silo is next due to be asked each path, by wall clock and across watches: a watch that lasts one
    /// 2-second half must not scrape /metrics at its start every time, or the scrape would come every few seconds.
    /// </summary>
    private static readonly Dictionary<(int Port, string Path), TimeSpan> Due = [];

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, (int Ok, int Other)> _answers = [];
    private readonly int _port;
    private readonly Task _loop;

    private OperatorWatch(int port)
    {
        _port = port;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Starts watching the first silo of <paramref name="cluster"/>.</summary>
    public static OperatorWatch Start(BenchCluster cluster) => new(cluster.Silos[0].HttpPort);

    /// <summary>Answers by path, e.g. "/metrics 200×12": shows the watch reached what it meant to (a 404 means it did not).</summary>
    public string Answers()
    {
        lock (_answers)
        {
            return string.Join(", ", _answers.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ok×{kv.Value.Ok} other×{kv.Value.Other}"));
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var (path, every) in Schedule)
            {
                var key = (_port, path);
                lock (Due)
                {
                    if (Due.TryGetValue(key, out var due) && Clock.Elapsed < due) continue;
                    Due[key] = Clock.Elapsed + every;
                }
                await GetAsync(path);
            }
            try
            {
                await Task.Delay(Tick, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task GetAsync(string path)
    {
        var ok = false;
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{_port}{path}"), HttpCompletionOption.ResponseContentRead, _stop.Token);
            ok = response.StatusCode == HttpStatusCode.OK;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (HttpRequestException)
        {
        }
        lock (_answers)
        {
            var (o, other) = _answers.GetValueOrDefault(path);
            _answers[path] = ok ? (o + 1, other) : (o, other + 1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
