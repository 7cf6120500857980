namespace DistributedTaskQueue;

/// <summary>A request the API refuses, with the problem details to answer it with.</summary>
internal sealed class ApiProblemException(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;
}
