using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DistributedTaskQueue;

/// <summary>
/// Notices that Redis lost its data (a restart without persistence, a flush, a failover to an empty replica): the first
/// silo of a service writes an incarnation key, <c>{ServiceId}/incarnation</c>, that nothing else writes or deletes,
/// and every silo reads it every <see cref="CheckEvery"/>. Gone or replaced means everything stored before is gone too,
/// the cluster's membership table included: the silos already running keep serving, but no new client or silo can join
/// them, and acknowledged tasks may be lost. Orleans has no way to rebuild a live membership table, so the silo says so
/// loudly (a critical log every minute, <c>dtq.redis.data_losses</c>) and fails <c>/health/live</c> and
/// <c>/health/ready</c>: an orchestrator restarts it, and restarted silos make a new table and a new incarnation.
/// A Redis that does not answer is an outage, not a loss: nothing is concluded from it.
/// </summary>
internal sealed partial class RedisDataLossWatch : BackgroundService
{
    internal static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RepeatEvery = TimeSpan.FromMinutes(1);
    private readonly RedisHealthCheck _connection;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisDataLossWatch> _logger;
    private readonly Counter<long> _losses;
    private readonly RedisKey _key;
    private string? _incarnation;
    private readonly string _keyText;
    private long _lostAtTicks; // 0 until found; read by health checks on other threads

    public RedisDataLossWatch(RedisHealthCheck connection, IOptions<ClusterOptions> cluster, IMeterFactory meters, TimeProvider time, ILogger<RedisDataLossWatch> logger)
    {
        _connection = connection;
        _time = time;
        _logger = logger;
        _keyText = $"{cluster.Value.ServiceId}/incarnation";
        _key = _keyText;
        _losses = meters.Create(WorkerMetrics.MeterName).CreateCounter<long>("dtq.redis.data_losses", "{loss}",
            "Times this silo found that Redis lost its data (the incarnation key gone or replaced)");
    }

    /// <summary>When this silo found Redis's data gone; null while it has not.</summary>
    public DateTimeOffset? LostAt => Interlocked.Read(ref _lostAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? lastLogged = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogUnreadable(ex.Message); // an outage: the readiness check reports it
            }
            if (LostAt is { } lost && (lastLogged is null || _time.GetUtcNow() - lastLogged >= RepeatEvery))
            {
                lastLogged = _time.GetUtcNow();
                LogLost(_keyText, lost);
            }
            await Task.Delay(CheckEvery, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One look at the key: the first makes it (or adopts another silo's), each later one compares.</summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (LostAt is not null) return; // found once, kept until the silo restarts
        var database = (await _connection.ConnectAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        if (_incarnation is null)
        {
            await database.StringSetAsync(_key, Guid.NewGuid().ToString("N"), when: When.NotExists).ConfigureAwait(false);
            _incarnation = await database.StringGetAsync(_key).ConfigureAwait(false);
            return;
        }
        var now = await database.StringGetAsync(_key).ConfigureAwait(false);
        if (now == _incarnation) return;
        Interlocked.Exchange(ref _lostAtTicks, _time.GetUtcNow().UtcTicks);
        _losses.Add(1);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Redis lost its data: the key {Key} this cluster wrote is gone or was written anew (found at {LostAt:O}). Acknowledged tasks may be lost, and the cluster's membership table is gone, so no new client or silo can join: restart the silos (/health/live now fails, so an orchestrator does), and give Redis persistence (appendonly yes, appendfsync always)")]
    private partial void LogLost(string key, DateTimeOffset lostAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the Redis incarnation key: {Reason}")]
    private partial void LogUnreadable(string reason);
}
