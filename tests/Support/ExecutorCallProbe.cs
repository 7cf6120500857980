using System.Collections.Concurrent;

namespace DistributedTaskQueue.Tests.Support;

/// <summary>
/// Sees every executor grain call on the silos of a test cluster, as the silo that runs it (register one per silo with
/// <see cref="On"/>): how many each silo received, how many are under way, how many failed; it can refuse the next
/// calls before the grain sees them.
/// </summary>
public sealed class ExecutorCallProbe
{
    private readonly ConcurrentDictionary<string, int> _received = new();
    private readonly ConcurrentDictionary<string, int> _underWay = new();
    private int _failed;
    private int _toRefuse;

    /// <summary>Executor grain calls each silo (by address) received.</summary>
    public int ReceivedOn(string silo) => _received.GetValueOrDefault(silo);

    /// <summary>Executor grain calls under way on a silo now.</summary>
    public int UnderWayOn(string silo) => _underWay.GetValueOrDefault(silo);

    public int Received => _received.Values.Sum();

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>The next <paramref name="count"/> calls fail before the grain takes anything handed over.</summary>
    public void RefuseNext(int count) => Volatile.Write(ref _toRefuse, count);

    /// <summary>The filter for one silo.</summary>
    public IIncomingGrainCallFilter On(ILocalSiloDetails silo) => new Filter(this, silo.SiloAddress.ToParsableString());

    private sealed class Filter(ExecutorCallProbe probe, string silo) : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType?.Name != "ITaskExecutorGrain")
            {
                await context.Invoke();
                return;
            }
            probe._received.AddOrUpdate(silo, 1, static (_, n) => n + 1);
            probe._underWay.AddOrUpdate(silo, 1, static (_, n) => n + 1);
            try
            {
                if (Volatile.Read(ref probe._toRefuse) > 0 && Interlocked.Decrement(ref probe._toRefuse) >= 0)
                    throw new InvalidOperationException("Refused by the test.");
                await context.Invoke();
            }
            catch
            {
                Interlocked.Increment(ref probe._failed);
                throw;
            }
            finally
            {
                probe._underWay.AddOrUpdate(silo, 0, static (_, n) => n - 1);
            }
        }
    }
}
