using DistributedTaskQueue.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DistributedTaskQueue;

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
        services.TryAddSingleton<Queue.TaskMetrics>();
        services.TryAddSingleton<Queue.QueueGauges>();
        return services;
    }
}
