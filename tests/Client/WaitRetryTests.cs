using System.Reflection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DistributedTaskQueue.Tests.Client;

/// <summary>
/// How <see cref="TaskClient.WaitAsync"/> rides out an unavailable partition, on a fake clock: what the partition
/// answers is scripted (the claim is about the client's schedule of tries, not about Orleans).
/// </summary>
public sealed class WaitRetryTests
{
    private static readonly TaskId Id = TaskId.Parse("q:0:1");

    [Fact]
    public async Task AReloadShorterThanTheTimeout_IsRiddenOut_WithBackoffDoublingToTwoSeconds()
    {
        var (client, time, calls) = Client(failures: 5);
        var info = await Drive(time, client.WaitAsync(Id, TimeSpan.FromSeconds(10)));

        Assert.Equal(TaskState.Succeeded, info.State);
        AssertCallsAt(calls, 0, 0.25, 0.75, 1.75, 3.75, 5.75);
    }

    [Fact]
    public async Task AnOutageLongerThanTheTimeout_EndsAtTheDeadline_WithOneLastTryThere()
    {
        var (client, time, calls) = Client(failures: int.MaxValue);
        await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => Drive(time, client.WaitAsync(Id, TimeSpan.FromSeconds(3))));

        // The pause after 1.75 s is cut to the 1.25 s left, and the last try is at the deadline, not 2 s past it.
        AssertCallsAt(calls, 0, 0.25, 0.75, 1.75, 3.0);
    }

    [Fact]
    public async Task AZeroTimeout_StillGetsThreeQuickTries()
    {
        var (client, time, calls) = Client(failures: int.MaxValue);
        await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => Drive(time, client.WaitAsync(Id, TimeSpan.Zero)));
        AssertCallsAt(calls, 0, 0.25, 0.75, 1.75);
    }

    [Fact]
    public async Task ADisposedClient_IsNotTriedAgain()
    {
        var (client, time, calls) = Client(failures: int.MaxValue, failure: () => new ObjectDisposedException("client"));
        await Assert.ThrowsAsync<TaskQueueUnavailableException>(() => Drive(time, client.WaitAsync(Id, TimeSpan.FromSeconds(30))));
        Assert.Single(calls);
    }

    private static (TaskClient Client, FakeTimeProvider Time, List<TimeSpan> Calls) Client(int failures, Func<Exception>? failure = null)
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var calls = new List<TimeSpan>();
        var grain = DispatchProxy.Create<ITaskQueueGrain, ScriptedGrain>();
        ((ScriptedGrain)(object)grain).Wait = () =>
        {
            calls.Add(time.GetUtcNow() - start);
            return calls.Count <= failures
                ? Task.FromException<TaskInfo?>(failure?.Invoke() ?? new TaskQueueUnavailableException("This queue partition lost a write and is reloading from storage; retry the call."))
                : Task.FromResult<TaskInfo?>(new TaskInfo { Id = Id, TaskName = "t", State = TaskState.Succeeded, Priority = TaskPriority.Normal });
        };
        var grains = DispatchProxy.Create<IGrainFactory, OneGrainFactory>();
        ((OneGrainFactory)(object)grains).Grain = grain;
        return (new TaskClient(grains, Options.Create(new TaskQueueOptions()), time), time, calls);
    }

    /// <summary>Moves the fake clock on in 50 ms steps until the wait ends.</summary>
    private static async Task<T> Drive<T>(FakeTimeProvider time, Task<T> wait)
    {
        for (var step = 0; step < 10_000 && !wait.IsCompleted; step++)
        {
            await Task.Yield();
            if (!wait.IsCompleted) time.Advance(TimeSpan.FromMilliseconds(50));
        }
        return await wait;
    }

    private static void AssertCallsAt(List<TimeSpan> calls, params double[] seconds)
    {
        Assert.Equal(seconds.Length, calls.Count);
        for (var i = 0; i < seconds.Length; i++)
            Assert.InRange(calls[i].TotalSeconds, seconds[i], seconds[i] + 0.1);
    }

    /// <summary>A partition whose WaitAsync answers as the test scripts it; nothing else is called.</summary>
    public class ScriptedGrain : DispatchProxy
    {
        public Func<Task<TaskInfo?>> Wait { get; set; } = () => throw new InvalidOperationException("unscripted");

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(ITaskQueueGrain.WaitAsync) ? Wait() : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>A grain factory that hands out the one scripted partition.</summary>
    public class OneGrainFactory : DispatchProxy
    {
        public object? Grain { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) && targetMethod.ReturnType == typeof(ITaskQueueGrain)
                ? Grain
                : throw new NotSupportedException(targetMethod?.Name);
    }
}
