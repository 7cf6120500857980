using System.Collections.Concurrent;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>Counts the grain calls a silo receives, by interface and method name (e.g. <c>IQueueDirectoryGrain.AddAsync</c>).</summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public int Of(string method) => _calls.GetValueOrDefault(method);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        _calls.AddOrUpdate($"{context.InterfaceName.Split('.')[^1]}.{context.MethodName}", 1, (_, n) => n + 1);
        await context.Invoke();
    }
}
