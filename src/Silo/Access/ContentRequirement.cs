using Microsoft.AspNetCore.Authorization;

namespace DistributedTaskQueue;

/// <summary>
/// What may show task contents (payloads, results, grain state, live logs): Admin, and ReadOnly only when
/// <c>TaskQueue:Access:ReadOnlySeesPayloads</c> is true.
/// </summary>
internal sealed class ContentRequirement : IAuthorizationRequirement;
