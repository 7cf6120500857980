using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>How the dashboard's grain-call filter is registered: wrapped when profiling is asked for, gone when not, whichever came first.</summary>
public sealed class DashboardCallFilterRegistrationTests
{
    private static readonly Type PackageFilter =
        typeof(DashboardOptions).Assembly.GetType("Orleans.Dashboard.Implementation.GrainProfilerFilter", throwOnError: true)!;

    [Fact]
    public void Removing_DropsThePackagesFilter()
    {
        var services = WithThePackagesFilter();
        Assert.True(DashboardCallFilter.TryRemove(services));
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IIncomingGrainCallFilter));
    }

    [Fact]
    public void ProfilingAskedForThenNot_LeavesNoFilter_NotEvenTheWrapper()
    {
        var services = WithThePackagesFilter();
        Assert.True(DashboardCallFilter.TryInstall(services));
        Assert.Single(services, s => s.ServiceType == typeof(IIncomingGrainCallFilter));
        Assert.True(DashboardCallFilter.TryRemove(services));
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IIncomingGrainCallFilter));
    }

    [Fact]
    public void Removing_LeavesOtherFiltersAlone()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IIncomingGrainCallFilter, Support.SubmissionRecorder>();
        services.AddSingleton(typeof(IIncomingGrainCallFilter), PackageFilter);
        Assert.True(DashboardCallFilter.TryRemove(services));
        Assert.Single(services, s => s.ServiceType == typeof(IIncomingGrainCallFilter) && s.ImplementationType == typeof(Support.SubmissionRecorder));
    }

    /// <summary>Services as <c>AddDashboard</c> leaves them for the filter: its one registration.</summary>
    private static ServiceCollection WithThePackagesFilter()
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(IIncomingGrainCallFilter), PackageFilter);
        return services;
    }
}
