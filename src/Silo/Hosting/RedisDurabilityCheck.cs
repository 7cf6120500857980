// Reads each Redis primary's persistence and eviction settings before the silo joins its cluster, and warns
// (or, with TaskQueue:RedisDurability = Require, stops the start) when Redis could lose or evict tasks that
// submits have already acknowledged. A submit is only as durable as the Redis write under it.
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DistributedTaskQueue;

/// <summary>Runs at the first stage of the silo lifecycle (before membership, storage or the gateway start), Redis mode only.</summary>
internal sealed partial class RedisDurabilityCheck(TaskQueueSiloOptions settings, ILogger<RedisDurabilityCheck> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The Redis settings read; others are not needed to judge durability.</summary>
    internal static readonly string[] Settings = ["appendonly", "appendfsync", "maxmemory", "maxmemory-policy"];

    /// <summary>One setting that lets Redis drop acknowledged tasks, and what it can drop.</summary>
    internal sealed record Risk(string Setting, string Value, string Loss);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RedisDurabilityCheck), ServiceLifecycleStage.First, CheckAsync);

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (settings.IsEmbedded) return;
        var require = settings.RedisDurability == RedisDurability.Require;
        var where = TaskQueueRedis.Describe(settings.Options);
        var options = TaskQueueRedis.Configuration(settings.Options);
        // CONFIG GET is an admin command to StackExchange.Redis; this connection only reads and is closed at once.
        options.AllowAdmin = true;
        // A connection string's abortConnect=false (common in managed Redis's) would make ConnectAsync return unconnected,
        // and a refused password pass unnoticed: this one connection must fail when it cannot connect.
        options.AbortOnConnectFail = true;
        var failures = new List<string>();
        try
        {
            // Connected even when the durability check is off: a refused password or certificate stops the start here,
            // with its cause, instead of as Orleans' clustering retrying a connection that can never succeed.
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            if (settings.RedisDurability == RedisDurability.Off) return;
            var primaries = redis.GetServers().Where(s => !s.IsReplica).ToList();
            if (primaries.Count == 0) Unchecked(failures, require, where, "no primary is connected");
            foreach (var server in primaries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var endpoint = Format(server.EndPoint);
                IReadOnlyDictionary<string, string> config;
                try
                {
                    config = await ReadAsync(server).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Managed Redis often refuses or renames CONFIG.
                    Unchecked(failures, require, endpoint, ex.Message);
                    continue;
                }
                var risks = Assess(config);
                if (risks.Count == 0) LogDurable(endpoint);
                foreach (var risk in risks)
                {
                    if (require) failures.Add($"Redis {endpoint} has {risk.Setting} {risk.Value}: {risk.Loss}");
                    else LogRisk(endpoint, risk.Setting, risk.Value, risk.Loss);
                }
            }
        }
        catch (RedisConnectionException ex) when (ex.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            throw new InvalidOperationException(RefusedMessage(where, ex), ex);
        }
        catch (RedisConnectionException ex)
        {
            // Redis takes the TCP connection but the TLS session fails: with TLS 1.3 a server that wants a client certificate
            // closes the connection after the handshake, which StackExchange.Redis reports as a failure to connect
            // (or as an authentication failure, by timing). Redis is there and refuses this silo: not a Redis that is down.
            if (options.Ssl && await AnyAcceptsAsync(options, cancellationToken).ConfigureAwait(false))
                throw new InvalidOperationException(RefusedMessage(where, ex), ex);
            if (settings.RedisDurability == RedisDurability.Off) return;
            Unchecked(failures, require, where, ex.Message);
        }
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"TaskQueue:RedisDurability is Require, and acknowledged tasks could be lost: {string.Join("; ", failures)}. " +
                "Set appendonly yes, appendfsync always and maxmemory-policy noeviction (or maxmemory 0) on Redis, " +
                "or set TaskQueue:RedisDurability to Warn to start anyway.");
        }
    }

    /// <summary>The risks of one primary's settings; none when it keeps every acknowledged write and never evicts.</summary>
    internal static IReadOnlyList<Risk> Assess(IReadOnlyDictionary<string, string> config)
    {
        var risks = new List<Risk>();
        var appendOnly = config.GetValueOrDefault("appendonly", "?");
        if (!appendOnly.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            risks.Add(new Risk("appendonly", appendOnly,
                "a restart or crash of Redis loses every task acknowledged since the last RDB snapshot (all of them when snapshots are off)"));
        }
        else
        {
            var fsync = config.GetValueOrDefault("appendfsync", "?");
            if (fsync.Equals("everysec", StringComparison.OrdinalIgnoreCase))
            {
                risks.Add(new Risk("appendfsync", fsync,
                    "a crash of Redis's machine (or of Redis during a stalled fsync) loses up to about 1 s of acknowledged tasks; a clean shutdown or restart loses nothing"));
            }
            else if (!fsync.Equals("always", StringComparison.OrdinalIgnoreCase))
            {
                risks.Add(new Risk("appendfsync", fsync,
                    "a crash of Redis's machine loses the acknowledged tasks the OS has not flushed yet (often up to 30 s); a clean shutdown or restart loses nothing"));
            }
        }
        var maxMemory = long.TryParse(config.GetValueOrDefault("maxmemory", "0"), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
        var policy = config.GetValueOrDefault("maxmemory-policy", "?");
        if (maxMemory > 0 && !policy.Equals("noeviction", StringComparison.OrdinalIgnoreCase))
        {
            risks.Add(new Risk("maxmemory-policy", policy,
                $"with maxmemory {maxMemory} bytes Redis evicts keys when it is full (volatile-* policies only keys with an expiry), and an evicted task record is a lost task"));
        }
        return risks;
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadAsync(IServer server)
    {
        var config = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Settings)
        {
            foreach (var pair in await server.ConfigGetAsync(name).ConfigureAwait(false)) config[pair.Key] = pair.Value;
        }
        // A CONFIG that answers nothing for appendonly is not one we can judge (a proxy that filters it, say).
        if (!config.ContainsKey("appendonly")) throw new RedisException("CONFIG GET appendonly returned nothing");
        return config;
    }

    /// <summary>Whether one of the configured endpoints accepts a TCP connection (within 2 s).</summary>
    private static async Task<bool> AnyAcceptsAsync(ConfigurationOptions options, CancellationToken cancellationToken)
    {
        foreach (var endpoint in options.EndPoints)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // Not this one.
            }
        }
        return false;
    }

    /// <summary>Why Redis refused this silo, and which setting to look at: its password or user, or the certificates.</summary>
    internal static string RefusedMessage(string where, RedisConnectionException ex)
    {
        var chain = new List<Exception>();
        for (Exception? e = ex; e is not null; e = e.InnerException) chain.Add(e);
        var cause = string.Join(" <- ", chain.Select(e => e.Message).Distinct());
        // Redis's own refusals name themselves; a failed TLS handshake is the runtime's AuthenticationException.
        string[] refusals = ["WRONGPASS", "NOAUTH", "NOPERM"];
        var hint = chain.Exists(e => Array.Exists(refusals, r => e.Message.Contains(r, StringComparison.Ordinal)))
            ? "Redis refused the credentials: check user= and password= in TaskQueue:Redis (an ACL user needs both, and the commands the queue uses on its keys)"
            : chain.Exists(e => e is System.Security.Authentication.AuthenticationException)
                ? "the TLS handshake failed: Redis's certificate is not trusted here (set TaskQueue:RedisCaCertificate to the PEM file of the CA that signed it, and check sslHost matches its name), or Redis wants a client certificate (TaskQueue:RedisClientCertificate and TaskQueue:RedisClientKey)"
                : "check user= and password= in TaskQueue:Redis, and for TLS TaskQueue:RedisCaCertificate and the client certificate (TaskQueue:RedisClientCertificate and TaskQueue:RedisClientKey: a Redis with tls-auth-clients yes closes a connection without one)";
        return $"Redis at {where} refused this silo's connection: {hint}. Cause: {cause}";
    }

    private void Unchecked(List<string> failures, bool require, string endpoint, string reason)
    {
        if (require) failures.Add($"the settings of Redis {endpoint} could not be read ({reason})");
        else LogUnchecked(endpoint, reason);
    }

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.ToString(),
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "?",
    };
}
