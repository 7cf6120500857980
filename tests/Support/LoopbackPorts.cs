using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DistributedTaskQueue;

/// <summary>
/// Loopback ports for the processes a test or a bench starts (Redis, silos' web, silo and gateway ports). Linked into
/// bench/Bench too, so both pick ports alike.
/// </summary>
/// <remarks>
/// A port is free when asked but bound only later, by the process it was asked for. Two things took one in that gap:
/// another ask in this process (a silo's gateway and web ports got the same one), and an outgoing connection (each
/// Redis client connection takes a port from the kernel's ephemeral range, where <c>bind(0)</c> also picks; seen in a
/// chaos run: "address already in use" for a silo's web port). So ports are drawn below that range, where no
/// connection is ever given one, and never twice in a process.
/// </remarks>
internal static class LoopbackPorts
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock GivenLock = new();
    private static readonly (int Low, int High)? Range = BelowEphemeral();

    public static int Next()
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            lock (GivenLock)
            {
                var port = Range is var (low, high) ? Random.Shared.Next(low, high) : AnyFree();
                if (Given.Contains(port) || !Bindable(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port in {Range?.ToString() ?? "the ephemeral range"}");
    }

    /// <summary>The kernel's pick (from the ephemeral range): only where there is no room below it.</summary>
    private static int AnyFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Free on every address a process might listen on (Orleans binds its silo port on any address).</summary>
    private static bool Bindable(int port)
    {
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.Any })
        {
            try
            {
                var listener = new TcpListener(address, port);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Up to 16,000 ports just below the kernel's ephemeral range (32768-60999 by default), above 1024; none when the
    /// range starts too low to leave 1,000 below it (a host tuned for many connections: "1024 65535").
    /// </summary>
    private static (int Low, int High)? BelowEphemeral()
    {
        var low = 32768;
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            low = int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: the usual range.
        }
        return low < 2025 ? null : (Math.Max(1025, low - 16_000), low);
    }
}
