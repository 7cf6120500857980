using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Registers <see cref="TaskQueueOptions"/> with the options system, as clients and silos both do.</summary>
public static class TaskQueueOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TaskQueueOptions"/> with its validator, checked once when the host starts. Where the values come
    /// from is the caller's to add (<see cref="TaskQueueConfiguration.BindTaskQueue"/>, <c>Configure</c>).
    /// </summary>
    public static OptionsBuilder<TaskQueueOptions> AddTaskQueueOptions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // TryAddEnumerable: a second registration (client and silo in one host) must not run the checks twice.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskQueueOptions>, TaskQueueOptionsValidator>());
        return services.AddOptions<TaskQueueOptions>().ValidateOnStart();
    }
}
