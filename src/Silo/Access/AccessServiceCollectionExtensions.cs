using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Registers the access rules of <c>/api</c> and <c>/dashboard</c>: the API-key scheme and the policy.</summary>
internal static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// The scheme is not made the default: an app's own authentication in the same host stays as it is, and our policy
    /// names its scheme. A WebApplication adds the authentication and authorization middleware by itself.
    /// </summary>
    public static IServiceCollection AddTaskQueueAccess(this IServiceCollection services, AccessOptions access)
    {
        services.AddOptions<AccessOptions>().ConfigureFrom(access).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>());
        services.TryAddSingleton<ApiKeyRing>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AccessPolicy.Scheme, null);
        services.AddAuthorizationBuilder().AddPolicy(AccessPolicy.Name, policy => policy
            .AddAuthenticationSchemes(AccessPolicy.Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new MethodRoleRequirement()))
            .AddPolicy(AccessPolicy.Contents, policy => policy
            .AddAuthenticationSchemes(AccessPolicy.Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new MethodRoleRequirement(), new ContentRequirement()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, MethodRoleAuthorizationHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ContentAuthorizationHandler>());
        // The token a browser's unsafe /api request must carry (CsrfGuard). The header name is the antiforgery system's
        // one setting for the whole host: an app that also uses antiforgery reads its header from X-CSRF-TOKEN too.
        services.AddAntiforgery(options =>
        {
            options.HeaderName = CsrfGuard.HeaderName;
            options.Cookie.Name = CsrfGuard.CookieName;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
        });
        return services;
    }
}
