using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DistributedTaskQueue.Cli.Commands;

/// <summary>
/// <c>dtq submit NAME --lines FILE</c>: one task per JSON line, sent in batches. Each batch is checked line by line
/// before it is sent, so a bad line stops the run with its line number and everything before it submitted (and said so).
/// </summary>
internal static class BulkSubmit
{
    private const int BatchSize = 500;

    public static async Task<int> RunAsync(CliSession session, TaskClient client, string taskName, string? queue, TaskOptions options, string path)
    {
        using var reader = Open(path, out var totalBytes);
        var progress = new ProgressLine(totalBytes);
        var clock = Stopwatch.StartNew();
        var batch = new List<string>(BatchSize);
        long submitted = 0, lineNumber = 0, bytesRead = 0;
        TaskId? first = null, last = null;
        while (await reader.ReadLineAsync(session.Cancellation) is { } line)
        {
            lineNumber++;
            bytesRead += line.Length + 1;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!IsJson(line, out var error))
            {
                await SendAsync();
                throw new CliException(ExitCodes.InvalidInput, string.Create(CultureInfo.InvariantCulture,
                    $"line {lineNumber} is not JSON ({error}); the {submitted:N0} tasks before it were submitted"));
            }
            batch.Add(line);
            if (batch.Count == BatchSize) await SendAsync();
        }
        await SendAsync();
        progress.Finish();
        var seconds = clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? submitted / seconds : 0;
        session.Output.Write(
            new { submitted, seconds = Math.Round(seconds, 3), perSecond = Math.Round(rate), firstId = first?.ToString(), lastId = last?.ToString() },
            w => w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submitted {submitted:N0} tasks in {seconds:0.00} s ({rate:N0}/s)")));
        return ExitCodes.Ok;

        async Task SendAsync()
        {
            if (batch.Count == 0) return;
            var ids = await client.SubmitBatchAsync(taskName, batch, queue, options);
            first ??= ids[0];
            last = ids[^1];
            submitted += ids.Count;
            batch.Clear();
            progress.Report(submitted, bytesRead, clock.Elapsed);
        }
    }

    private static TextReader Open(string path, out long totalBytes)
    {
        if (path == "-")
        {
            totalBytes = 0;
            return Console.In;
        }
        var file = new FileInfo(path);
        if (!file.Exists) throw new CliException(ExitCodes.InvalidInput, $"no such file: {file.FullName}");
        totalBytes = file.Length;
        return new StreamReader(file.FullName);
    }

    private static bool IsJson(string line, out string error)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            error = "";
            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }
}
