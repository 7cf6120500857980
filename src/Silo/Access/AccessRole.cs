namespace DistributedTaskQueue;

/// <summary>What an API key may do on <c>/api</c> and <c>/dashboard</c>.</summary>
public enum AccessRole
{
    /// <summary>Everything: read, submit, cancel, retry and purge dead letters, change schedules.</summary>
    Admin,

    /// <summary>Reads only (GET); task results only when <c>TaskQueue:Access:ReadOnlySeesPayloads</c> is true.</summary>
    ReadOnly,
}
