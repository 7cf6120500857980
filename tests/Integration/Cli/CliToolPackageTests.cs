using System.Diagnostics;

namespace DistributedTaskQueue.Tests.Integration.Cli;

/// <summary>The README's install path: the repository's own package output installs as a .NET tool and runs.</summary>
public sealed class CliToolPackageTests
{
    [Fact]
    public async Task DotnetToolInstall_FromThePackedOutput_GivesAWorkingDtq()
    {
        var work = Directory.CreateTempSubdirectory("dtq-tool-");
        try
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            var project = Path.Combine(framework.Parent.Parent!.Parent!.Parent!.FullName, "src", "Cli", "Cli.csproj");
            var packages = Path.Combine(work.FullName, "packages");
            var tools = Path.Combine(work.FullName, "tools");

            await RunAsync("dotnet", "pack", project, "-c", configuration, "--no-build", "-o", packages, "-nologo");
            await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "DistributedTaskQueue.Cli");
            var help = await RunAsync(Path.Combine(tools, "dtq"), "schedules", "add", "--help");

            Assert.Contains("--cron", help, StringComparison.Ordinal);
            Assert.Contains("--tz", help, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
