using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration.Cli;

/// <summary>dtq without a cluster: every verb's help, and usage errors as exit 2 with one line, before anything connects.</summary>
public sealed class CliUsageTests
{
    public static TheoryData<string[]> Verbs() => new()
    {
        { ["submit"] }, { ["status"] }, { ["wait"] }, { ["cancel"] }, { ["stats"] }, { ["pause"] }, { ["resume"] },
        { ["queues"] }, { ["purge"] },
        { ["dead", "list"] }, { ["dead", "retry"] }, { ["dead", "purge"] },
        { ["schedules", "list"] }, { ["schedules", "get"] }, { ["schedules", "add"] }, { ["schedules", "remove"] },
        { ["schedules", "pause"] }, { ["schedules", "resume"] }, { ["schedules", "trigger"] },
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task EveryVerb_HasHelp_NamingItsJsonOption(string[] verb)
    {
        var help = await DtqProcess.RunAsync([.. verb, "--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Usage:", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--json", help.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("submit")]
    [InlineData("status", "a", "b")]
    [InlineData("schedules", "add", "name", "dtq.noop")]
    [InlineData("wait", "q:0:1", "--timeout", "NaNs")]
    [InlineData("wait", "q:0:1", "--timeout", "Infinityh")]
    [InlineData("wait", "q:0:1", "--timeout", "1e309s")]
    [InlineData("status", "q:300:1")]
    [InlineData("--connect-timeout", "0s", "stats")]
    [InlineData("dead", "list", "q", "--limit", "10001")]
    [InlineData("purge", "q")]
    [InlineData("purge", "q", "--task-name", "dtq.echo")]
    public async Task UsageErrors_ExitTwo_WithOneLine_WithoutConnecting(params string[] args)
    {
        // No silo listens on this gateway port: a usage error must be reported before any connection is tried.
        var result = await DtqProcess.RunAsync([.. args, "--gateway-port", RedisServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Single(result.Stderr.Split('\n'));
        Assert.StartsWith("dtq: ", result.Stderr, StringComparison.Ordinal);
        // The hint names a command that exists: the verb's whole path.
        if (args[0] == "purge") Assert.Contains("add --yes", result.Stderr, StringComparison.Ordinal);
        if (args[0] == "dead") Assert.Contains("'dtq dead list --help'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoSiloOnTheGatewayPort_ExitsFour_WithinTheConnectTimeout()
    {
        var port = RedisServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await DtqProcess.RunAsync(["stats", "--gateway-port", port, "--connect-timeout", "2s"]);
        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains($"gateway port {port}", result.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }
}
