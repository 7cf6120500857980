using Microsoft.Extensions.DependencyInjection;

namespace DistributedTaskQueue.Execution;

/// <summary>
/// One registered handler: which task names it takes and how to run it. Typed handlers are bound once to
/// a delegate here, so a run costs no reflection.
/// </summary>
internal sealed class TaskHandlerDescriptor
{
    public delegate Task<byte[]> Invoker(IServiceProvider services, string taskName, byte[] payload, TaskContext context, CancellationToken cancellationToken);

    private TaskHandlerDescriptor(Type handlerType, string? taskName, Invoker invoke)
    {
        HandlerType = handlerType;
        TaskName = taskName;
        Invoke = invoke;
    }

    public Type HandlerType { get; }

    /// <summary>The one task name a typed handler takes; null for a raw handler, which answers <c>CanHandle</c>.</summary>
    public string? TaskName { get; }

    public Invoker Invoke { get; }

    public static IEnumerable<TaskHandlerDescriptor> For(Type handlerType)
    {
        var found = false;
        foreach (var contract in handlerType.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITaskHandler<,>)))
        {
            found = true;
            var args = contract.GetGenericArguments();
            var bind = typeof(TaskHandlerDescriptor).GetMethod(nameof(BindTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(handlerType, args[0], args[1]);
            yield return new TaskHandlerDescriptor(handlerType, TaskTypes.NameOf(args[0]), (Invoker)bind.Invoke(null, null)!);
        }
        if (typeof(IRawTaskHandler).IsAssignableFrom(handlerType))
        {
            found = true;
            yield return new TaskHandlerDescriptor(handlerType, null, async (services, name, payload, context, ct) =>
            {
                var handler = (IRawTaskHandler)services.GetRequiredService(handlerType);
                var json = await handler.HandleAsync(name, System.Text.Encoding.UTF8.GetString(payload), context, ct).ConfigureAwait(false);
                return System.Text.Encoding.UTF8.GetBytes(json);
            });
        }
        if (!found)
            throw new ArgumentException($"{handlerType.Name} implements neither ITaskHandler<TTask, TResult> nor IRawTaskHandler.", nameof(handlerType));
    }

    private static Invoker BindTyped<THandler, TTask, TResult>()
        where THandler : ITaskHandler<TTask, TResult>
        where TTask : ITask<TResult> =>
        async (services, _, payload, context, ct) =>
        {
            TTask task;
            try
            {
                task = TaskJson.Deserialize<TTask>(payload) ?? throw new TaskPayloadException($"Payload of '{context.TaskName}' is null.");
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new TaskPayloadException($"Payload of '{context.TaskName}' does not deserialize as {typeof(TTask).Name}: {ex.Message}", ex);
            }
            var handler = services.GetRequiredService<THandler>();
            var result = await handler.HandleAsync(task, context, ct).ConfigureAwait(false);
            return TaskJson.Serialize(result, typeof(TResult));
        };
}
