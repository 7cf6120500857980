namespace DistributedTaskQueue.Tests.Support;

/// <summary>The keys the keyed test silo is configured with.</summary>
public static class AccessKeys
{
    public const string Admin = "admin-0123456789abcdef";
    public const string ReadOnly = "read-0123456789abcdef";

    public static void Configure(TaskQueueSiloOptions silo)
    {
        silo.Access.Keys.Add(new ApiKeyOptions { Key = Admin, Role = AccessRole.Admin, Name = "ops" });
        silo.Access.Keys.Add(new ApiKeyOptions { Key = ReadOnly, Role = AccessRole.ReadOnly, Name = "monitoring" });
    }
}
