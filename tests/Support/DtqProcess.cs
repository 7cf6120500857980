using System.Diagnostics;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>The built <c>dtq</c> command line as its own process, as an operator or a script runs it.</summary>
public static class DtqProcess
{
    // tests/bin/{Configuration}/net10.0/ -> src/Cli/bin/{Configuration}/net10.0/dtq.dll: the tool's own output, with its own dependencies.
    private static readonly Lazy<string> ToolPath = new(() =>
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var repository = configuration.Parent!.Parent!.Parent!;
        var path = Path.Combine(repository.FullName, "src", "Cli", "bin", configuration.Name, framework.Name, "dtq.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"dtq is not built at {path}", path);
    });

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs dtq with <paramref name="args"/> (and <paramref name="stdin"/> piped in, if given) and waits at most a minute.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The tests' own TaskQueue__ settings must not leak into the tool: each test says what it connects to.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("TaskQueue__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dtq");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dtq {string.Join(' ', args)} ran for over a minute:\n{await stdout}\n{await stderr}");
        }
        return new Result(process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }
}
