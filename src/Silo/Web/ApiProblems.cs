// Every error of the JSON API as RFC 7807 problem details (application/problem+json with title, status, detail,
// and `field` when one field is to blame), in one place: a filter over the /api group maps the library's typed
// errors, and the body reader turns a missing or malformed body into a 400 that says what is wrong.
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistributedTaskQueue;

internal static partial class ApiProblems
{
    /// <summary>Answers an exception from an API handler as problem details; anything unexpected is logged and answered 500.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ApiProblemException ex)
        {
            return Problem(ex.Status, ex.Title, ex.Message, ex.Field);
        }
        catch (InvalidTaskException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, ex.Field == "Queue" ? "Invalid queue name" : "Invalid task", ex.Message, ex.Field);
        }
        catch (InvalidScheduleException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid schedule", ex.Message, ex.Field);
        }
        catch (UnknownTaskException ex)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown task", ex.Message);
        }
        catch (TaskQueueUnavailableException ex)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Task queue unavailable", ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading the body (too large, cut off).
            return Problem(ex.StatusCode, "Bad request", ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad request", ex.Message, ex.ParamName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TaskQueueApi).FullName!);
            LogUnhandled(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, ex);
            return Problem(StatusCodes.Status500InternalServerError, "Internal error", $"The request failed: {ex.GetType().Name}. The silo's log has the details.");
        }
    }

    public static IResult Problem(int status, string title, string detail, string? field = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    /// <summary>Reads a JSON body (the API's JSON dialect: camelCase, case-insensitive); a missing, null or malformed one is a 400 saying so.</summary>
    public static async Task<T> ReadBodyAsync<T>(HttpRequest request, string example) where T : class
    {
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Missing request body", $"The request has no body; send JSON such as {example}.");
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(request.Body, TaskJson.Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed request body",
                $"The body is not valid JSON for this route: {ex.Message}", FieldOf(ex.Path));
        }
        return body ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "Missing request body", $"The body is JSON null; send JSON such as {example}.");
    }

    /// <summary>A JSON path (<c>$[2].retry.maxDelay</c>) as the field names <see cref="InvalidTaskException.Field"/> uses (<c>RetryPolicy.MaxDelay</c>).</summary>
    internal static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        var rest = path.StartsWith("$[", StringComparison.Ordinal) ? path[(path.IndexOf(']', StringComparison.Ordinal) + 1)..] : path[1..];
        var parts = rest.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]).ToArray();
        if (parts.Length == 0) return null;
        if (parts.Length > 1 && parts[0] == "Retry") parts[0] = nameof(RetryPolicy);
        return string.Join('.', parts);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "JSON API {Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
