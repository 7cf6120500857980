using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace DistributedTaskQueue;

/// <summary>Grants <see cref="MethodRoleRequirement"/>: Admin always, ReadOnly for GET and HEAD.</summary>
internal sealed class MethodRoleAuthorizationHandler : AuthorizationHandler<MethodRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MethodRoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.IsInRole(nameof(AccessRole.Admin))) context.Succeed(requirement);
        else if (context.User.IsInRole(nameof(AccessRole.ReadOnly)) && context.Resource is HttpContext http
                 && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
