using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DistributedTaskQueue;

/// <summary>
/// Ready when Redis answers a PING (Redis mode only). Its own connection, opened on first use and kept: the check must
/// not depend on the storage providers' connections, whose failures it is meant to reveal.
/// </summary>
internal sealed class RedisHealthCheck(TaskQueueSiloOptions settings, IOptions<HealthOptions> health) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var redis = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(health.Value.RedisTimeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis did not answer: {ex.Message}");
        }
    }

    /// <summary>The health connection (also what <see cref="RedisDataLossWatch"/> reads through).</summary>
    internal async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_redis is { } connected) return connected;
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_redis is null)
            {
                var options = TaskQueueRedis.Configuration(settings.Options);
                // Keep trying in the background after a failed first connect: a later check then finds Redis back.
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = (int)health.Value.RedisTimeout.TotalMilliseconds;
                _redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            }
            return _redis;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync().ConfigureAwait(false);
        _connecting.Dispose();
    }
}
