using System.Globalization;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary>A progress bar on stderr, redrawn in place; silent when stderr is not a terminal, so logs and scripts stay clean.</summary>
internal sealed class ProgressLine(long totalBytes)
{
    private const int Width = 30;
    private readonly bool _shown = !Console.IsErrorRedirected;
    private bool _drawn;

    public void Report(long tasks, long bytesRead, TimeSpan elapsed)
    {
        if (!_shown) return;
        var rate = elapsed.TotalSeconds > 0 ? tasks / elapsed.TotalSeconds : 0;
        string line;
        if (totalBytes > 0)
        {
            var fraction = Math.Clamp((double)bytesRead / totalBytes, 0, 1);
            var filled = (int)(fraction * Width);
            line = string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0}  {tasks:N0} tasks  {rate:N0}/s");
        }
        else
        {
            line = string.Create(CultureInfo.InvariantCulture, $"{tasks:N0} tasks  {rate:N0}/s");
        }
        Console.Error.Write('\r' + line);
        _drawn = true;
    }

    public void Finish()
    {
        if (_drawn) Console.Error.WriteLine();
    }
}
