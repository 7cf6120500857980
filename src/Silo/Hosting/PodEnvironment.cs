using Microsoft.Extensions.Configuration;

namespace DistributedTaskQueue;

/// <summary>
/// What a Kubernetes pod tells its silo through the downward API (deploy/kubernetes/silo.yaml), under the names
/// <c>Microsoft.Orleans.Hosting.Kubernetes</c> reads: each fills a <c>TaskQueue</c> setting the configuration leaves
/// unset, so the same binary runs in a pod, in a test that sets these by hand, and on a laptop without them.
/// </summary>
public static class PodEnvironment
{
    /// <summary>The pod's name: the silo's worker id (tasks' <c>Worker</c> field reads <c>{pod}@{address}</c>).</summary>
    public const string PodName = "POD_NAME";

    /// <summary>The pod's namespace (read by the Kubernetes cluster agent).</summary>
    public const string PodNamespace = "POD_NAMESPACE";

    /// <summary>The pod's IP: the address the silo advertises to the cluster.</summary>
    public const string PodIP = "POD_IP";

    /// <summary>The Orleans cluster id (the pod's <c>orleans/clusterId</c> label).</summary>
    public const string ClusterId = "ORLEANS_CLUSTER_ID";

    /// <summary>The Orleans service id (the pod's <c>orleans/serviceId</c> label).</summary>
    public const string ServiceId = "ORLEANS_SERVICE_ID";

    /// <summary>Set by Kubernetes in every pod: its presence turns on the Orleans Kubernetes cluster agent.</summary>
    public const string KubernetesServiceHost = "KUBERNETES_SERVICE_HOST";

    /// <summary>Whether the silo runs in a Kubernetes pod that says who it is (API host and pod name both set).</summary>
    public static bool IsInPod(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrEmpty(configuration[KubernetesServiceHost]) && !string.IsNullOrEmpty(configuration[PodName]);
    }

    /// <summary>Fills what the <c>TaskQueue</c> section left unset from the pod's variables.</summary>
    internal static void Apply(IConfiguration configuration, IConfigurationSection section, TaskQueueSiloOptions settings)
    {
        settings.AdvertisedAddress ??= configuration[PodIP];
        if (string.IsNullOrEmpty(settings.Worker.WorkerId) && configuration[PodName] is { Length: > 0 } pod) settings.Worker.WorkerId = pod;
        if (section["ClusterId"] is null && configuration[ClusterId] is { Length: > 0 } cluster) settings.Options.ClusterId = cluster;
        if (section["ServiceId"] is null && configuration[ServiceId] is { Length: > 0 } service) settings.Options.ServiceId = service;
    }
}
