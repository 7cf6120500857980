namespace DistributedTaskQueue;

/// <summary>
/// Who may call <c>/api</c> and <c>/dashboard</c> (section <c>TaskQueue:Access</c>). With no keys only loopback callers are
/// answered (as Admin); once a key is configured every caller, loopback included, needs one.
/// </summary>
public sealed class AccessOptions
{
    /// <summary>The API keys and their roles (<c>TaskQueue:Access:Keys:0:Key</c>, <c>:Role</c>, <c>:Name</c>).</summary>
    public IList<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// Whether a ReadOnly key sees task results (false): results may hold personal data, and a read-only key is typically
    /// handed to monitoring, which needs states and counts, not contents.
    /// </summary>
    public bool ReadOnlySeesPayloads { get; set; }
}
