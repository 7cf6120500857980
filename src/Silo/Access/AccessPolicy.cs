namespace DistributedTaskQueue;

/// <summary>The names the access rules go by: the authentication scheme and the policy <c>/api</c> and <c>/dashboard</c> require.</summary>
public static class AccessPolicy
{
    /// <summary>The policy: a known caller; ReadOnly for reads (GET, HEAD), Admin for everything else.</summary>
    public const string Name = "dtq.access";

    /// <summary>
    /// The policy of what shows contents beyond results (the dashboard's grain state and live log): <see cref="Name"/>,
    /// and for ReadOnly only with <c>TaskQueue:Access:ReadOnlySeesPayloads</c>.
    /// </summary>
    public const string Contents = "dtq.contents";

    /// <summary>The authentication scheme (API keys, or loopback while none is configured).</summary>
    public const string Scheme = "dtq.apikey";

    /// <summary>The header that carries a key when <c>Authorization: Bearer</c> is taken by something else.</summary>
    public const string ApiKeyHeader = "X-Api-Key";
}
