using System.Globalization;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>The ports tests and benches give their processes: never one twice, never one a connection can take.</summary>
public sealed class LoopbackPortsTests
{
    [Fact]
    public void PortsAreNeverGivenTwice_AndLieBelowTheEphemeralRange()
    {
        var ports = Enumerable.Range(0, 300).Select(_ => LoopbackPorts.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1025, 65535));
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range"))
        {
            var low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            if (low >= 2025) Assert.All(ports, p => Assert.InRange(p, 1025, low - 1));
        }
    }
}
