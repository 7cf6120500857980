using System.Security.Claims;
using System.Text.Json;

namespace DistributedTaskQueue;

/// <summary>
/// Task results may hold personal data: a ReadOnly caller sees them only when <c>TaskQueue:Access:ReadOnlySeesPayloads</c>
/// is true. (A task read shows its payload and result; a schedule read shows the payload it submits.)
/// </summary>
internal static class ResultVisibility
{
    public static bool MaySee(ClaimsPrincipal user, AccessOptions access) =>
        access.ReadOnlySeesPayloads || !user.IsInRole(nameof(AccessRole.ReadOnly));

    /// <summary>The task as <paramref name="user"/> may see it: without its result and payload when it may not see payloads.</summary>
    public static TaskInfo ShownTo(this TaskInfo info, ClaimsPrincipal user, AccessOptions access) =>
        MaySee(user, access) ? info : info with { Result = null, Payload = null };

    /// <summary>The schedule as <paramref name="user"/> may see it: its task's payload is JSON null when it may not see payloads.</summary>
    public static ScheduleView ShownTo(this ScheduleView view, ClaimsPrincipal user, AccessOptions access) =>
        MaySee(user, access) ? view : view with { Task = view.Task with { Payload = Hidden } };

    private static readonly JsonElement Hidden = JsonSerializer.SerializeToElement<object?>(null);
}
