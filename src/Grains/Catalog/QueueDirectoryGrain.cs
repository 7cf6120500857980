using DistributedTaskQueue.Schedules;

namespace DistributedTaskQueue.Catalog;

/// <summary>
/// The queues that ever held a task, persisted beside the schedule directory (in the schedule storage). Partitions add
/// their queue once per activation, after their first written submit, so this is called rarely and writes only for a
/// queue it has not seen. Not reentrant: one write at a time.
/// </summary>
[GrainType("queuedirectory")]
internal sealed class QueueDirectoryGrain(
    [PersistentState("queues", ScheduleGrain.StorageName)] IPersistentState<QueueDirectoryState> state) : Grain, IQueueDirectoryGrain
{
    private List<string>? _names;

    private List<string> Names => _names ??= [.. state.State.Names.Order(StringComparer.Ordinal)];

    public async Task AddAsync(string queue)
    {
        QueueNames.Validate(queue);
        var index = Names.BinarySearch(queue, StringComparer.Ordinal);
        if (index >= 0) return;
        Names.Insert(~index, queue);
        state.State.Names = [.. Names];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory is ahead of storage: let the next activation reload what is stored.
            _names = null;
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<string[]> ListAsync() => Task.FromResult(Names.ToArray());
}
