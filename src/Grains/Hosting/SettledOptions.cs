using System.Reflection;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// Hands options that a host settled while it was built (bound from configuration, then changed by the app's delegate,
/// as <c>UseTaskQueueSilo</c> does) to the options system, where validators and later <c>Configure</c> or
/// <c>PostConfigure</c> calls still apply.
/// </summary>
public static class SettledOptions
{
    /// <summary>
    /// Configures the options with every public read-write property of <paramref name="values"/>, read when the options
    /// are built. Lists are copied, so the options never share one with <paramref name="values"/>.
    /// </summary>
    public static OptionsBuilder<TOptions> ConfigureFrom<TOptions>(this OptionsBuilder<TOptions> builder, TOptions values) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(values);
        return builder.Configure(options =>
        {
            foreach (var property in Settable<TOptions>.Properties) property.SetValue(options, Copy(property.GetValue(values)));
        });
    }

    // The options system builds an instance more than once (IOptions and IOptionsMonitor each build their own): a shared
    // list would take an app's Configure(o => o.Queues.Add(…)) twice.
    private static object? Copy(object? value) => value is IList<string> list ? list.ToList() : value;

    private static class Settable<TOptions>
    {
        public static readonly PropertyInfo[] Properties = typeof(TOptions)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p is { CanRead: true, CanWrite: true, SetMethod.IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToArray();
    }
}
