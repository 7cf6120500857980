using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace DistributedTaskQueue.Cli;

/// <summary>
/// One verb's run: its output, and a connection opened only when the verb needs the cluster (so <c>--help</c> and usage
/// errors never wait on a network). Every exception a verb throws ends here as an exit code and one line on stderr.
/// </summary>
internal sealed class CliSession : IAsyncDisposable
{
    private readonly ParseResult _parse;
    private readonly CancellationToken _cancellation;
    private TaskClient? _client;

    private CliSession(ParseResult parse, CancellationToken cancellation)
    {
        _parse = parse;
        _cancellation = cancellation;
        Output = new CliOutput(Console.Out, parse.GetValue(GlobalOptions.Json));
    }

    public CliOutput Output { get; }

    public CancellationToken Cancellation => _cancellation;

    public T? Get<T>(Option<T> option) => _parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => _parse.GetValue(argument);

    /// <summary>Runs <paramref name="verb"/> and turns whatever it throws into the documented exit code.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<CliSession, Task<int>> verb, CancellationToken cancellation)
    {
        var session = new CliSession(parse, cancellation);
        try
        {
            return await verb(session);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("dtq: interrupted");
            return 130;
        }
        catch (Exception ex)
        {
            var (code, reason) = CliErrors.Describe(ex);
            await Console.Error.WriteLineAsync($"dtq: {reason}");
            return code;
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    /// <summary>Joins the cluster as an Orleans client (Redis clustering, or a local embedded silo's gateway).</summary>
    public async Task<TaskClient> ClientAsync()
    {
        if (_client is not null) return _client;
        var environment = TaskQueueConfiguration.Bind(new ConfigurationBuilder().AddEnvironmentVariables().Build(), new TaskQueueOptions());
        var redis = Get(GlobalOptions.Redis) ?? environment.RedisConnectionString;
        var timeout = Get(GlobalOptions.ConnectTimeout);
        void Configure(TaskQueueOptions options)
        {
            options.ClusterId = Get(GlobalOptions.ClusterId) ?? environment.ClusterId;
            options.ServiceId = Get(GlobalOptions.ServiceId) ?? environment.ServiceId;
            options.PartitionsPerQueue = Get(GlobalOptions.Partitions) ?? environment.PartitionsPerQueue;
            options.DefaultQueue = environment.DefaultQueue;
            options.MaxPayloadBytes = environment.MaxPayloadBytes;
            options.SubmitTimeout = environment.SubmitTimeout;
            options.DefaultRetry = environment.DefaultRetry;
            // Read from the environment only (TaskQueue__RedisCaCertificate and so on), as the silo reads them.
            options.RedisCaCertificate = environment.RedisCaCertificate;
            options.RedisClientCertificate = environment.RedisClientCertificate;
            options.RedisClientKey = environment.RedisClientKey;
            options.TlsCertificate = environment.TlsCertificate;
            options.TlsKey = environment.TlsKey;
            options.TlsCaCertificate = environment.TlsCaCertificate;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        deadline.CancelAfter(timeout);
        var where = redis is null
            ? $"a local silo on gateway port {Get(GlobalOptions.GatewayPort) ?? GatewayPortFromEnvironment()}"
            : "the cluster registered in Redis";
        try
        {
            _client = redis is null
                ? await TaskClient.ConnectLocalAsync(Get(GlobalOptions.GatewayPort) ?? GatewayPortFromEnvironment(), Configure, deadline.Token)
                : await TaskClient.ConnectAsync(redis, Configure, deadline.Token);
        }
        catch (OperationCanceledException) when (!_cancellation.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unavailable, $"no silo answered within {timeout.TotalSeconds:0.###} s ({where})");
        }
        catch (TaskQueueUnavailableException ex)
        {
            throw new CliException(ExitCodes.Unavailable, $"could not reach {where}: {ex.InnerException?.Message ?? ex.Message}".Split('\n')[0]);
        }
        return _client;
    }

    private static int GatewayPortFromEnvironment() =>
        TaskQueueConfiguration.GatewayPort(new ConfigurationBuilder().AddEnvironmentVariables().Build());

    public async ValueTask DisposeAsync()
    {
        if (_client is null) return;
        try
        {
            await _client.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The verb's answer is already written; a connection that fails to close cleanly changes nothing for the caller.
        }
        _client = null;
    }
}
