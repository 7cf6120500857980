using System.Globalization;
using System.Runtime.CompilerServices;

namespace DistributedTaskQueue;

/// <summary>
/// Schedules (the original design's TaskScheduler; named so it never collides with
/// <see cref="System.Threading.Tasks.TaskScheduler"/>): list, read, pause, resume, trigger and remove them. Each one is
/// a grain in the cluster, woken by an Orleans reminder, so no single scheduler process exists. Creating them:
/// TaskSchedules.Create.cs. Get it from <see cref="TaskClient.Schedules"/>.
/// </summary>
public sealed partial class TaskSchedules
{
    private const int MaxPageSize = 1000;
    private readonly TaskClient _client;

    internal TaskSchedules(TaskClient client) => _client = client;

    /// <summary>
    /// One page of schedules, with the token of the next page (null on the last). Pages follow the directory's
    /// shards, so the order is stable but not alphabetical; a schedule created or removed meanwhile may or may not appear.
    /// </summary>
    /// <param name="pageSize">Schedules per page, 1-1000.</param>
    /// <param name="pageToken">The previous page's <see cref="SchedulePage.NextPageToken"/>; null for the first page.</param>
    public async Task<SchedulePage> ListAsync(int pageSize = 100, string? pageToken = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var (shard, after) = ParseToken(pageToken);
        var page = new List<ScheduleInfo>(pageSize);
        while (shard < ScheduleDirectory.Shards && page.Count < pageSize)
        {
            var wanted = pageSize - page.Count;
            var directory = _client.GrainFactory.GetGrain<IScheduleDirectoryGrain>(shard);
            var names = await _client.Invoke(() => directory.ListAsync(after, wanted), repeatable: true).ConfigureAwait(false);
            var infos = await _client.Invoke(() => Task.WhenAll(names.Select(n => Grain(n).GetAsync())), repeatable: true).ConfigureAwait(false);
            // A name without a schedule is an entry a failed removal left behind: not listed.
            page.AddRange(infos.OfType<ScheduleInfo>());
            if (names.Length < wanted)
            {
                shard++;
                after = null;
            }
            else
            {
                after = names[^1];
            }
        }
        var next = shard < ScheduleDirectory.Shards ? string.Create(CultureInfo.InvariantCulture, $"{shard}:{after}") : null;
        return new SchedulePage(page, next);
    }

    /// <summary>Every schedule, page by page.</summary>
    public async IAsyncEnumerable<ScheduleInfo> ListAllAsync(int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await ListAsync(pageSize, token).ConfigureAwait(false);
            foreach (var schedule in page.Schedules) yield return schedule;
            token = page.NextPageToken;
        }
        while (token is not null);
    }

    /// <summary>The schedule's definition, next run, last run, last task and its state, and counts; null when there is none.</summary>
    public Task<ScheduleInfo?> GetAsync(ScheduleId id) => _client.Invoke(() => Grain(id).GetAsync(), repeatable: true);

    /// <summary>Stops the schedule firing until resumed; false when there is no such schedule.</summary>
    public Task<bool> PauseAsync(ScheduleId id) => _client.Invoke(() => Grain(id).PauseAsync(), repeatable: true);

    /// <summary>Lets a paused schedule fire again, from now on (what came due while paused is not fired); false when there is none.</summary>
    public Task<bool> ResumeAsync(ScheduleId id) => _client.Invoke(() => Grain(id).ResumeAsync(), repeatable: true);

    /// <summary>
    /// Submits the schedule's task now (even when paused; the overlap policy does not apply to a hand trigger).
    /// Returns the task's id, or null when there is no such schedule.
    /// </summary>
    public Task<TaskId?> TriggerAsync(ScheduleId id) => _client.Invoke(() => Grain(id).TriggerAsync(), repeatable: false);

    /// <summary>Deletes the schedule for good (its reminder, state and listing); tasks it submitted stay. False when there was none.</summary>
    public Task<bool> RemoveAsync(ScheduleId id) => _client.Invoke(() => Grain(id).RemoveAsync(), repeatable: true);

    private IScheduleGrain Grain(ScheduleId id) => _client.GrainFactory.GetGrain<IScheduleGrain>(ScheduleRules.ValidateName(id.Name));

    private static (int Shard, string? After) ParseToken(string? pageToken)
    {
        if (pageToken is null) return (0, null);
        var colon = pageToken.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(pageToken.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var shard) && shard < ScheduleDirectory.Shards)
            return (shard, colon == pageToken.Length - 1 ? null : pageToken[(colon + 1)..]);
        // Named after ListAsync's parameter, the one the caller gave (the JSON API reports it as its query parameter).
        throw new ArgumentException($"'{pageToken}' is not a page token from ListAsync.", nameof(pageToken));
    }
}
