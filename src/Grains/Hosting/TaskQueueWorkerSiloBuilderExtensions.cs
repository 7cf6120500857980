using DistributedTaskQueue.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>Adds this silo's worker: the hosted service that leases tasks from the queues' partitions and runs them.</summary>
public static class TaskQueueWorkerSiloBuilderExtensions
{
    /// <summary>
    /// Registers the worker (<see cref="WorkerOptions"/> from the given values, validated when the silo starts), its
    /// metrics and its progress (what a readiness check asks). Needs <see cref="TaskQueueGrainsSiloBuilderExtensions.AddTaskQueueGrains"/>.
    /// </summary>
    public static ISiloBuilder AddTaskQueueWorker(this ISiloBuilder silo, WorkerOptions worker)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(worker);
        var services = silo.Services;
        services.AddOptions<WorkerOptions>().ConfigureFrom(worker).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<WorkerMetrics>();
        services.TryAddSingleton<WorkerProgress>();
        services.TryAddSingleton<SiloActiveSignal>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloActiveSignal>());
        services.AddHostedService<TaskWorker>();
        return silo;
    }
}
