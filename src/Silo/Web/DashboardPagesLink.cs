// The Orleans dashboard is a prebuilt page from its package; the only way to link it to the queue pages is to add the
// link to the HTML its index route answers. Only that route's 200 text/html answer is touched, and only by fixed
// markup before </body> (the link, and a notice while grain-call timing is off): nothing from a request goes into it.
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DistributedTaskQueue;

/// <summary>Wraps the dashboard's index route so its page links to <c>/ui/</c>.</summary>
internal static class DashboardPagesLink
{
    internal const string Anchor =
        "<a id=\"dtq-queue-pages\" href=\"../ui/\" style=\"position:fixed;left:16px;bottom:16px;z-index:10000;padding:6px 12px;" +
        "border-radius:4px;background:#1f4e79;color:#fff;font:14px system-ui,sans-serif;text-decoration:none\">Queue pages</a>";

    /// <summary>
    /// Said on the page while grain-call timing is off (TaskQueue:Dashboard:ProfileGrainMethods): the dashboard then
    /// reads 0 requests per second, 0 latency and no methods, which would otherwise look like an idle cluster.
    /// </summary>
    internal const string ProfilingOffNotice =
        "<div id=\"dtq-profiling-off\" style=\"position:fixed;right:16px;bottom:16px;z-index:10000;max-width:560px;padding:6px 12px;" +
        "border-radius:4px;background:#6b5514;color:#fff;font:13px system-ui,sans-serif\">Grain-call timing is off " +
        "(TaskQueue:Dashboard:ProfileGrainMethods), so requests, latency and methods read 0 here. Task throughput and " +
        "failures are on the Queue pages.</div>";

    /// <summary>Whether a dashboard route (its pattern's raw text) is the one answering the page itself.</summary>
    public static bool IsIndex(string route) =>
        route.TrimEnd('/').Equals(TaskQueueDashboard.RoutePrefix, StringComparison.OrdinalIgnoreCase) ||
        route.EndsWith("/index.html", StringComparison.OrdinalIgnoreCase);

    public static RequestDelegate Wrap(RequestDelegate inner, bool profiling) => async context =>
    {
        var response = context.Response;
        var original = response.Body;
        // Plain HTML to edit: the page is small, and a compressed answer could not take the link.
        context.Request.Headers.AcceptEncoding = "identity";
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await inner(context).ConfigureAwait(false);
        }
        finally
        {
            response.Body = original;
        }
        var bytes = buffer.ToArray();
        if (response.StatusCode == StatusCodes.Status200OK && response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
            && string.IsNullOrEmpty(response.Headers.ContentEncoding))
        {
            var html = Encoding.UTF8.GetString(bytes);
            var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
            if (end >= 0) bytes = Encoding.UTF8.GetBytes(string.Concat(html.AsSpan(0, end), profiling ? Anchor : Anchor + ProfilingOffNotice, html.AsSpan(end)));
        }
        if (!response.HasStarted) response.ContentLength = bytes.Length;
        await original.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    };
}
