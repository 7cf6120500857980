using CsCheck;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Integration;

/// <summary>
/// A property over hostile field values, through the client and straight to the partition (as a client that skips
/// its own checks would): each submit is refused with an <see cref="InvalidTaskException"/> naming a field, or it is
/// accepted and then runs to an end (or waits for its not-before time); and the partition always reloads.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class HostileSubmitTests(RedisFixture fixture)
{
    private const string Queue = "hostile";
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    private static readonly Gen<TaskPriority?> Priorities = Mostly<TaskPriority?>([null, TaskPriority.Low, TaskPriority.Critical], [(TaskPriority)(-1), (TaskPriority)4, (TaskPriority)7, (TaskPriority)int.MaxValue]);

    private static readonly Gen<TimeSpan?> Timeouts = Mostly<TimeSpan?>([null, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5), TimeSpan.MaxValue, Timeout.InfiniteTimeSpan],
        [TimeSpan.Zero, TimeSpan.FromTicks(-1), TimeSpan.FromDays(50), TimeSpan.MinValue]);

    private static readonly Gen<DateTimeOffset?> NotBefores = Mostly<DateTimeOffset?>([null, DateTimeOffset.MinValue, Now.AddHours(-1), Now.AddMilliseconds(300), Now.AddDays(1)],
        [Now.AddYears(20), DateTimeOffset.MaxValue]);

    private static readonly Gen<TimeSpan?> Delays = Mostly<TimeSpan?>([null, TimeSpan.FromMilliseconds(200)], [TimeSpan.FromTicks(-1), TimeSpan.MaxValue, TimeSpan.MinValue]);

    private static readonly Gen<DateTimeOffset?> Expiries = Mostly<DateTimeOffset?>([null, DateTimeOffset.MinValue, Now.AddSeconds(-1), Now.AddMinutes(10), DateTimeOffset.MaxValue], []);

    private static readonly Gen<TimeSpan?> Retentions = Mostly<TimeSpan?>([null, TimeSpan.FromHours(1)], [TimeSpan.Zero, TimeSpan.FromTicks(-5), TimeSpan.MaxValue, TimeSpan.FromDays(4000)]);

    private static readonly Gen<string?> Keys = Gen.Frequency<string?>(
        (20, Gen.Const((string?)null)), (10, Gen.Int.Select(i => (string?)$"key-{i}")),
        (1, Gen.Const<string?>("")), (1, Gen.Const<string?>("k\u0001")), (1, Gen.Const<string?>(new string('k', 201))));

    private static readonly Gen<RetryPolicy?> Retries = Mostly<RetryPolicy?>(
        [null, new RetryPolicy { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(50) }],
        [new RetryPolicy { MaxRetries = -1 }, new RetryPolicy { MaxRetries = int.MaxValue }, new RetryPolicy { RetryDelay = TimeSpan.FromTicks(-1) },
         new RetryPolicy { MaxDelay = TimeSpan.MaxValue }, new RetryPolicy { Jitter = double.NaN }, new RetryPolicy { Jitter = double.PositiveInfinity }]);

    private static readonly Gen<(string Name, string Payload)> Bodies = Mostly<(string, string)>(
        [("test.record", """{"label":"ok"}""")],
        [("test.record", "{"), ("test.record", ""), ("test.record", "\"" + new string('x', 300_000) + "\""), ("", "{}"), ("has space", "{}"), (new string('n', 201), "{}"), ("nul\0", "{}")]);

    private static readonly Gen<(TaskOptions Options, string Name, string Payload)> Submits =
        Gen.Select(Gen.Select(Priorities, Timeouts, NotBefores, Delays, Expiries, Retentions, Keys, Retries), Bodies, (o, body) =>
            (new TaskOptions
            {
                Priority = o.Item1,
                Timeout = o.Item2,
                NotBefore = o.Item3,
                Delay = o.Item4,
                ExpiresAt = o.Item5,
                ResultTtl = o.Item6,
                IdempotencyKey = o.Item7,
                Retry = o.Item8,
            }, body.Item1, body.Item2));

    /// <summary>Valid values ten times as often as each hostile one, so both outcomes come up across nine fields.</summary>
    private static Gen<T> Mostly<T>(T[] valid, T[] hostile) =>
        Gen.Frequency([.. valid.Select(v => (10, v)), .. hostile.Select(h => (1, h))]);

    [Fact]
    public async Task EverySubmit_IsRefusedNamingAField_OrRunsToAnEnd_AndThePartitionAlwaysReloads()
    {
        await using var cluster = await TaskQueueCluster.StartAsync(fixture.Redis, [Queue], concurrency: 8, configure: (_, s) =>
            s.Options.DefaultRetry = new RetryPolicy { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(50) });
        var partition = cluster.Cluster.Client.GetGrain<ITaskQueueGrain>(QueueNames.PartitionKey(Queue, 0));
        var accepted = new Dictionary<TaskId, TaskOptions>();
        var refused = 0;

        await Submits.SampleAsync(async sample =>
        {
            var (options, name, payload) = sample;
            // Through the client.
            try
            {
                accepted.TryAdd(await cluster.Client.SubmitAsync(name, payload, Queue, options), options); // a reused key returns the first task, whose options count
            }
            catch (InvalidTaskException ex)
            {
                Assert.False(string.IsNullOrEmpty(ex.Field), ex.Message);
                refused++;
            }
            // Straight to the partition, as a client that checks nothing would send it.
            var raw = new TaskSubmission
            {
                TaskName = name,
                Payload = System.Text.Encoding.UTF8.GetBytes(payload),
                Priority = options.Priority ?? TaskPriority.Normal,
                Retry = options.Retry,
                Timeout = options.Timeout,
                NotBefore = options.NotBefore,
                ExpiresAt = options.ExpiresAt,
                ResultTtl = options.ResultTtl,
                IdempotencyKey = options.IdempotencyKey,
            };
            try
            {
                accepted.TryAdd((await partition.SubmitAsync([raw]))[0], options);
            }
            catch (InvalidTaskException ex)
            {
                Assert.False(string.IsNullOrEmpty(ex.Field), ex.Message);
                refused++;
            }
        }, iter: 150, threads: 1);

        Assert.True(refused > 50, $"only {refused} refusals: the generator is not hostile enough");
        Assert.True(accepted.Count > 20, $"only {accepted.Count} accepted: the generator refuses everything");
        foreach (var (id, options) in accepted)
        {
            var waitsForLater = (options.NotBefore ?? Now) > Now.AddMinutes(1);
            var info = waitsForLater ? await cluster.Client.GetTaskAsync(id) : await cluster.Client.WaitAsync(id, TimeSpan.FromSeconds(30)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
            info ??= await cluster.Client.GetTaskAsync(id);
            Assert.NotNull(info);
            if (waitsForLater) Assert.Equal(TaskState.Scheduled, info.State);
            else Assert.True(info.State.IsFinished(), $"{id} is {info.State} with options {options}");
        }

        await cluster.Cluster.DeactivateAsync(partition);
        var stats = await cluster.Client.GetQueueStatsAsync(Queue);
        Assert.Equal(accepted.Count, stats.Succeeded + stats.DeadLettered + stats.Cancelled + stats.Delayed + stats.Pending + stats.Running);
        foreach (var id in accepted.Keys) Assert.NotNull(await cluster.Client.GetTaskAsync(id));
    }
}
