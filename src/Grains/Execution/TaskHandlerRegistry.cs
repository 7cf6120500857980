namespace DistributedTaskQueue.Execution;

/// <summary>Finds the handler for a task name: an exact typed handler first, then the first raw handler that says it can.</summary>
internal sealed class TaskHandlerRegistry
{
    private readonly Dictionary<string, TaskHandlerDescriptor> _typed = new(StringComparer.Ordinal);
    private readonly List<(TaskHandlerDescriptor Descriptor, IRawTaskHandler Probe)> _raw = [];

    public TaskHandlerRegistry(IEnumerable<TaskHandlerDescriptor> descriptors, IServiceProvider services)
    {
        foreach (var descriptor in descriptors)
        {
            if (descriptor.TaskName is { } name)
            {
                if (!_typed.TryAdd(name, descriptor) && _typed[name].HandlerType != descriptor.HandlerType)
                    throw new InvalidOperationException($"Task '{name}' has two handlers: {_typed[name].HandlerType.Name} and {descriptor.HandlerType.Name}.");
            }
            else
            {
                // Raw handlers answer CanHandle from an instance; one resolved at start-up answers for all runs.
                _raw.Add((descriptor, (IRawTaskHandler)Microsoft.Extensions.DependencyInjection.ActivatorUtilities.GetServiceOrCreateInstance(services, descriptor.HandlerType)));
            }
        }
    }

    /// <summary>Every name this silo's handlers list (typed handlers, and raw handlers that list theirs).</summary>
    public string[] KnownNames => [.. _typed.Keys.Concat(_raw.SelectMany(r => r.Probe.TaskNames ?? [])).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Whether some raw handler here takes names it cannot list.</summary>
    public bool AcceptsAnyName => _raw.Any(r => r.Probe.TaskNames is null);

    public TaskHandlerDescriptor? Find(string taskName)
    {
        if (_typed.TryGetValue(taskName, out var typed)) return typed;
        foreach (var (descriptor, probe) in _raw)
        {
            if (probe.CanHandle(taskName)) return descriptor;
        }
        return null;
    }
}
