using System.Diagnostics;
using System.Globalization;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>The original examples as the README runs them: samples/SimpleWorker in one process, samples/TaskClient in another, one Redis.</summary>
[Collection(RedisGroup.Name)]
public sealed class SamplesTests
{
    [Fact]
    public async Task SimpleWorker_AndTaskClient_RunTheOriginalExample_AgainstOneRedis()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true);
        var worker = Start("SimpleWorker", "DistributedTaskQueue.SimpleWorker.dll",
            [$"--TaskQueue:SiloPort={RedisServer.FreePort()}", $"--TaskQueue:GatewayPort={RedisServer.FreePort()}", $"--urls=http://127.0.0.1:{RedisServer.FreePort()}"],
            redis.ConnectionString);
        try
        {
            var output = new System.Text.StringBuilder();
            worker.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            worker.BeginOutputReadLine();
            worker.BeginErrorReadLine();
            for (var i = 0; i < 300 && !Contains(output, "serving queue 'emails'"); i++) await Task.Delay(100);

            using var client = Start("TaskClient", "DistributedTaskQueue.TaskClientSample.dll", [redis.ConnectionString], redis.ConnectionString);
            var stdout = client.StandardOutput.ReadToEndAsync();
            var stderr = client.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await client.WaitForExitAsync(timeout.Token);
            var text = await stdout;
            Assert.True(client.ExitCode == 0, $"TaskClient exited {client.ExitCode}:\n{text}\n{await stderr}\nworker:\n{output}");
            Assert.Contains("Task result: Email sent to user@example.com", text, StringComparison.Ordinal);
            Assert.Contains("Email sent to user10@example.com", text, StringComparison.Ordinal);
            Assert.Contains("succeeded 11", text, StringComparison.Ordinal);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            worker.Dispose();
        }
    }

    private static bool Contains(System.Text.StringBuilder output, string text)
    {
        lock (output) return output.ToString().Contains(text, StringComparison.Ordinal);
    }

    /// <summary>A sample's built output (samples/{name}/bin/{Configuration}/net10.0), as `dotnet run` would start it.</summary>
    private static Process Start(string sample, string dll, string[] args, string redis)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "samples", sample, "bin", configuration.Name, framework.Name, dll);
        if (!File.Exists(path)) throw new FileNotFoundException($"{sample} is not built at {path} (./test.sh builds the whole solution)", path);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(path)! };
        start.ArgumentList.Add(path);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["TaskQueue__Redis"] = redis;
        start.Environment["TaskQueue__AdvertisedAddress"] = "127.0.0.1";
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {sample}");
    }
}
