using DistributedTaskQueue.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DistributedTaskQueue;

/// <summary>Registers task handlers with the silo's DI container.</summary>
public static class TaskHandlerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="THandler"/> for every <c>ITaskHandler&lt;TTask, TResult&gt;</c> it implements
    /// (by the task's name) and, if it is an <see cref="IRawTaskHandler"/>, for the names it accepts.
    /// A new handler instance is resolved per attempt, in its own DI scope.
    /// </summary>
    public static IServiceCollection AddTaskHandler<THandler>(this IServiceCollection services) where THandler : class
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var descriptor in TaskHandlerDescriptor.For(typeof(THandler))) services.AddSingleton(descriptor);
        services.TryAddScoped<THandler>();
        return services.AddTaskQueueExecution();
    }
}

/// <summary>Registers the execution services every silo needs, with or without handlers.</summary>
internal static class TaskExecutionServiceCollectionExtensions
{
    public static IServiceCollection AddTaskQueueExecution(this IServiceCollection services)
    {
        services.TryAddSingleton<TaskHandlerRegistry>();
        services.TryAddSingleton<TaskExecutor>();
        // Where the partition consumers and the executor grain meet on a silo (see ExecutionLane).
        services.TryAddSingleton<ExecutionLanes>();
        services.AddMetrics();
        services.TryAddSingleton<Queue.PartitionMetrics>();
        return services;
    }
}
