using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// Runs this assembly's <c>producer-client</c> mode as its own OS process (a freshly started app) and returns the
/// JSON object it prints. The process is registered with <see cref="ChildProcesses"/>, so it dies with the bench.
/// </summary>
internal static class ClientProcess
{
    /// <summary>What the client printed, and the wall time from its launch to its exit.</summary>
    public sealed record Result(JsonObject Figures, double WallMs);

    public static async Task<Result> RunAsync(string redis, string clusterId, string serviceId, string queue, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "DistributedTaskQueue.Bench.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(ProducerClient.Command);
        foreach (var arg in new[] { "--redis", redis, "--cluster", clusterId, "--service", serviceId, "--queue", queue }.Concat(args)) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var errors = new ChildProcesses.OutputTail(100);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the producer client");
        ChildProcesses.Add(process);
        process.ErrorDataReceived += (_, e) => errors.Add(e.Data);
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var stdout = await process.StandardOutput.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            var wall = clock.Elapsed.TotalMilliseconds;
            var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
            if (process.ExitCode != 0 || line is null)
                throw new InvalidOperationException($"The producer client exited with {process.ExitCode}:\n{stdout}\n{errors}");
            return new Result(JsonNode.Parse(line)!.AsObject(), wall);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The producer client did not finish within {timeout.TotalSeconds:0} s:\n{errors}");
        }
        finally
        {
            await ChildProcesses.StopAsync(process, TimeSpan.FromSeconds(5));
        }
    }
}
