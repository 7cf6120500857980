namespace DistributedTaskQueue.Schedules;

/// <summary>
/// One shard of the schedule directory: the names of the schedules that hash to it, sorted (ordinal), persisted in
/// the schedule storage. Schedule grains add themselves when created (and on activation, which repairs a lost entry)
/// and remove themselves when removed; listing walks the shards in order. Not reentrant: one write at a time.
/// </summary>
internal sealed class ScheduleDirectoryGrain(
    [PersistentState("directory", ScheduleGrain.StorageName)] IPersistentState<ScheduleDirectoryState> state) : Grain, IScheduleDirectoryGrain
{
    private const int MaxPage = 1000;
    private List<string>? _names;

    private List<string> Names => _names ??= [.. state.State.Names.Order(StringComparer.Ordinal)];

    public async Task AddAsync(string name)
    {
        ScheduleRules.ValidateName(name);
        var index = Names.BinarySearch(name, StringComparer.Ordinal);
        if (index >= 0) return;
        Names.Insert(~index, name);
        await WriteAsync();
    }

    public async Task RemoveAsync(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = Names.BinarySearch(name, StringComparer.Ordinal);
        if (index < 0) return;
        Names.RemoveAt(index);
        await WriteAsync();
    }

    public Task<string[]> ListAsync(string? after, int limit)
    {
        limit = Math.Clamp(limit, 0, MaxPage);
        var start = 0;
        if (after is not null)
        {
            var index = Names.BinarySearch(after, StringComparer.Ordinal);
            start = index >= 0 ? index + 1 : ~index;
        }
        return Task.FromResult(Names.GetRange(start, Math.Min(limit, Names.Count - start)).ToArray());
    }

    private async Task WriteAsync()
    {
        state.State.Names = [.. Names];
        try
        {
            // An emptied shard leaves no key behind.
            if (Names.Count == 0) await state.ClearStateAsync();
            else await state.WriteStateAsync();
        }
        catch
        {
            // Memory is ahead of storage: let the next activation reload what is stored.
            _names = null;
            DeactivateOnIdle();
            throw;
        }
    }
}
