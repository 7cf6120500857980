using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Grants <see cref="ContentRequirement"/> to whoever <see cref="ResultVisibility"/> lets see results.</summary>
internal sealed class ContentAuthorizationHandler(IOptions<AccessOptions> access) : AuthorizationHandler<ContentRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ContentRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identity?.IsAuthenticated == true && ResultVisibility.MaySee(context.User, access.Value)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
