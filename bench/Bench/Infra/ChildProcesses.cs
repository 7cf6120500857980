using System.Diagnostics;

namespace DistributedTaskQueue.Bench.Infra;

/// <summary>
/// Every OS process the bench starts, so that all of them are killed (by their own handle, never by name)
/// on normal exit, on an exception, on Ctrl+C and on SIGTERM.
/// </summary>
internal static class ChildProcesses
{
    private static readonly List<Process> Running = [];

    public static void Add(Process process)
    {
        lock (Running) Running.Add(process);
    }

    public static void Remove(Process process)
    {
        lock (Running) Running.Remove(process);
    }

    /// <summary>Last resort: kills whatever is still registered.</summary>
    public static void KillAll()
    {
        Process[] all;
        lock (Running)
        {
            all = [.. Running];
            Running.Clear();
        }
        foreach (var process in all)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Already gone or not ours any more.
            }
        }
    }

    /// <summary>Kills one process and waits for it (bounded).</summary>
    public static async Task StopAsync(Process process, TimeSpan wait)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(wait);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (OperationCanceledException)
        {
            // Did not die in time; KillAll tries again at exit.
            return;
        }
        Remove(process);
        process.Dispose();
    }

    /// <summary>A bounded ring of a child's output lines, for error messages.</summary>
    public sealed class OutputTail(int capacity = 200)
    {
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > capacity) _lines.Dequeue();
            }
        }

        public override string ToString()
        {
            lock (_lines) return string.Join('\n', _lines);
        }
    }
}
