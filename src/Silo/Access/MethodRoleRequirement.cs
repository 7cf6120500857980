using Microsoft.AspNetCore.Authorization;

namespace DistributedTaskQueue;

/// <summary>
/// Reads need a role, everything else Admin. Decided by the HTTP method, not per route, so a route added later cannot
/// forget it: every POST, PUT and DELETE is an action.
/// </summary>
internal sealed class MethodRoleRequirement : IAuthorizationRequirement;
