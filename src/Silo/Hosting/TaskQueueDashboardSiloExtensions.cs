using Orleans.Dashboard;
using Orleans.Hosting;

namespace DistributedTaskQueue;

/// <summary>Adds the Orleans dashboard's data collection to a task-queue silo (its pages are mapped by <c>MapTaskQueueDashboard</c>).</summary>
public static class TaskQueueDashboardSiloExtensions
{
    /// <summary>
    /// The Orleans dashboard (grain calls, silo statistics, reminders). <c>UseTaskQueueSilo</c> calls this unless
    /// <c>TaskQueue:Dashboard:Enabled</c> is false; a host that sets up its silo with <c>AddTaskQueue</c> calls it itself.
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="profileGrainMethods">Time every grain call for the dashboard's grain-call charts and columns (<see cref="TaskQueueDashboardOptions.ProfileGrainMethods"/>).</param>
    public static ISiloBuilder AddTaskQueueDashboard(this ISiloBuilder silo, bool profileGrainMethods = false)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var before = silo.Services.Count;
        silo.AddDashboard();
        // Its own start-up work runs after the silo is active and the host has started (DashboardStartDeferral says why).
        DashboardStartDeferral.Apply(silo.Services, before);
        // Its page files are read on the first dashboard request, not at start (DashboardAssets says why).
        DashboardAssets.TryDefer(silo.Services);
        // Its grain-call timing filter: not at all unless asked for, and then only while someone has the dashboard open
        // (DashboardCallFilter says why).
        if (profileGrainMethods) DashboardCallFilter.TryInstall(silo.Services);
        else DashboardCallFilter.TryRemove(silo.Services);
        return silo;
    }
}
