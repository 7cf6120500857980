namespace DistributedTaskQueue;

/// <summary>
/// <c>dotnet DistributedTaskQueue.Silo.dll --health-check [url]</c>: the container image's HEALTHCHECK, which has no curl.
/// Asks the running silo's <c>/health/live</c> (default: loopback on the first port of <c>ASPNETCORE_HTTP_PORTS</c>, else
/// 8080) and exits 0 when it answers 200, 1 otherwise.
/// </summary>
public static class HealthProbe
{
    /// <summary>The argument that selects this mode.</summary>
    public const string Argument = "--health-check";

    /// <summary>Probes once, within 3 s.</summary>
    public static async Task<int> RunAsync(string? url)
    {
        var port = (Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? "8080").Split([',', ';'])[0].Trim();
        var target = new Uri(url ?? $"http://127.0.0.1:{port}/health/live");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(target);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{target}: {ex.Message}");
            return 1;
        }
    }
}
