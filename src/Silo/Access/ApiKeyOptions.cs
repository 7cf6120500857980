namespace DistributedTaskQueue;

/// <summary>One API key (<c>TaskQueue:Access:Keys:N</c>): the secret, its role, and a name for logs.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The secret callers send (<c>Authorization: Bearer …</c> or <c>X-Api-Key</c>); at least 16 characters, never logged.</summary>
    public string Key { get; set; } = "";

    /// <summary>What the key may do; required, so a forgotten role never grants more than meant.</summary>
    public AccessRole? Role { get; set; }

    /// <summary>Who holds the key, as logs and the request's user name show it; empty means <c>key N</c>.</summary>
    public string? Name { get; set; }
}
