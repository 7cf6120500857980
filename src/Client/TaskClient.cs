using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// Submits tasks and watches them: the app-side API. Every call goes straight to the queue partition that
/// owns the task (its id names it); waiting for a result is pushed by that partition, never polled.
/// Thread-safe; share one per app (DI registers a singleton).
/// </summary>
public sealed partial class TaskClient : IAsyncDisposable
{
    private static readonly TimeSpan MaxWaitPerCall = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MaxSubmitRetryDelay = TimeSpan.FromSeconds(1);
    // Far above a healthy submit (milliseconds, a large batch under load a second or two), far below Orleans' 30 s.
    private static readonly TimeSpan SubmitAttemptTimeout = TimeSpan.FromSeconds(5);
    // An attempt this slow marks its partition for new submits when the queue has others (PartitionAvailability).
    private static readonly TimeSpan SlowAttempt = TimeSpan.FromSeconds(1);
    private readonly IGrainFactory _grains;
    private readonly TaskQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly IHost? _ownedHost;
    private readonly PartitionReferences _partitions;
    private readonly PartitionAvailability _availability;
    private int _nextPartition;

    /// <summary>Creates a client over an Orleans client (or a silo's own grain factory).</summary>
    public TaskClient(IGrainFactory grains, IOptions<TaskQueueOptions> options, TimeProvider? time = null)
        : this(grains, options?.Value ?? throw new ArgumentNullException(nameof(options)), time, null)
    {
    }

    private TaskClient(IGrainFactory grains, TaskQueueOptions options, TimeProvider? time, IHost? ownedHost)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
        _options = options;
        _time = time ?? TimeProvider.System;
        _ownedHost = ownedHost;
        _partitions = new PartitionReferences(grains, options.PartitionsPerQueue);
        _availability = new PartitionAvailability(_time);
    }

    /// <summary>
    /// Connects to the cluster whose silos register in <paramref name="redisConnectionString"/> (Redis clustering).
    /// Dispose the client to disconnect.
    /// </summary>
    public static Task<TaskClient> ConnectAsync(string redisConnectionString, Action<TaskQueueOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redisConnectionString);
        var options = new TaskQueueOptions { RedisConnectionString = redisConnectionString };
        configure?.Invoke(options);
        return ConnectAsync(options, cancellationToken);
    }

    /// <summary>Connects to an embedded single silo on this machine (no Redis) through its gateway port.</summary>
    public static Task<TaskClient> ConnectLocalAsync(int gatewayPort = TaskQueueConfiguration.DefaultGatewayPort, Action<TaskQueueOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new TaskQueueOptions();
        configure?.Invoke(options);
        return ConnectAsync(options, cancellationToken, gatewayPort);
    }

    private static async Task<TaskClient> ConnectAsync(TaskQueueOptions options, CancellationToken cancellationToken, int gatewayPort = TaskQueueConfiguration.DefaultGatewayPort)
    {
        // No host validates these at start, so refuse them here, before anything connects.
        var result = new TaskQueueOptionsValidator().Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(string.Empty, typeof(TaskQueueOptions), result.Failures);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => TaskQueueClientServiceCollectionExtensions.ConfigureClustering(client, options, gatewayPort));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            host.Dispose();
            throw new TaskQueueUnavailableException($"Could not connect to the task queue cluster '{options.ClusterId}': {ex.Message}", ex);
        }
        return new TaskClient(host.Services.GetRequiredService<IClusterClient>(), options, null, host);
    }

    /// <summary>The settings this client uses.</summary>
    public TaskQueueOptions Options => _options;

    /// <summary>Stops the connection this client opened, if it opened one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownedHost is null) return;
        await _ownedHost.StopAsync().ConfigureAwait(false);
        _ownedHost.Dispose();
    }

    /// <summary>The partitions new submits pass over for now (tests watch it).</summary>
    internal PartitionAvailability Availability => _availability;

    private ITaskQueueGrain Partition(string queue, int partition) => _partitions.Get(queue, partition);

    private ITaskQueueGrain Owner(TaskId id) => _partitions.Get(id.Queue, id.Partition);

    /// <summary>
    /// Spreads new submits over a queue's partitions, passing over one this client could not reach lately
    /// (<see cref="PartitionAvailability"/>); with one partition (the default) it is always 0.
    /// </summary>
    private int NextPartition(string queue)
    {
        if (_options.PartitionsPerQueue == 1) return 0;
        var next = (int)((uint)Interlocked.Increment(ref _nextPartition) % (uint)_options.PartitionsPerQueue);
        return _availability.Choose(queue, next, _options.PartitionsPerQueue);
    }

    /// <summary>
    /// For calls that are safe to repeat (reads, waits, keyed submits): rides out a gateway or silo going away
    /// (a rolling restart) with three quick retries before reporting the cluster unavailable.
    /// </summary>
    private async Task<T> CallSafely<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Call(call).ConfigureAwait(false);
            }
            catch (TaskQueueUnavailableException) when (attempt <= 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), _time).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Turns transport and cluster failures into <see cref="TaskQueueUnavailableException"/>; our own errors pass through.</summary>
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not TaskQueueException and not OperationCanceledException and not ArgumentException)
        {
            throw new TaskQueueUnavailableException($"The task queue cluster did not answer: {ex.Message}", ex);
        }
    }
}
