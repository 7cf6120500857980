using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DistributedTaskQueue;

/// <summary>
/// Reads the shared settings of the <c>TaskQueue</c> configuration section, for clients and silos alike: the one
/// place that knows <c>TaskQueue:Redis</c> names the Redis server and that a silo's gateway listens on 30000 by default.
/// </summary>
public static class TaskQueueConfiguration
{
    /// <summary>The gateway port of a silo that sets none, and the one a local client looks for.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>
    /// Binds the section into <paramref name="options"/>; <c>TaskQueue:Redis</c> (environment <c>TaskQueue__Redis</c>)
    /// fills <see cref="TaskQueueOptions.RedisConnectionString"/> when that key is not set itself.
    /// </summary>
    public static TaskQueueOptions Bind(IConfiguration configuration, TaskQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(TaskQueueOptions.SectionName);
        section.Bind(options);
        options.RedisConnectionString ??= section["Redis"];
        return options;
    }

    /// <summary>Binds the registered <see cref="TaskQueueOptions"/> from the host's configuration, as <see cref="Bind"/> does.</summary>
    public static OptionsBuilder<TaskQueueOptions> BindTaskQueue(this OptionsBuilder<TaskQueueOptions> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Configure<IConfiguration>((options, configuration) => Bind(configuration, options));
    }

    /// <summary>The silo gateway port in configuration (<c>TaskQueue:GatewayPort</c>), else <see cref="DefaultGatewayPort"/>.</summary>
    public static int GatewayPort(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(TaskQueueOptions.SectionName).GetValue("GatewayPort", DefaultGatewayPort);
    }
}
