using System.Globalization;
using System.Text.Json;
using DistributedTaskQueue.Tests.Integration;
using DistributedTaskQueue.Tests.Support;
using YamlDotNet.RepresentationModel;
using static DistributedTaskQueue.Tests.Deploy.DeployFiles;

namespace DistributedTaskQueue.Tests.Deploy;

/// <summary>A silo process started with exactly the manifest's environment, the pod's variables set by hand, joins and serves.</summary>
[Collection(RedisGroup.Name)]
public sealed class ManifestSiloTests
{
    [Fact]
    public async Task ASiloWithTheManifestsEnvironment_JoinsItsCluster_ServesProbes_AndRunsTasks()
    {
        // The manifest requires a durable Redis (RedisDurability Require): give it one.
        await using var redis = await RedisServer.StartAsync(appendOnly: true, appendFsync: "always");
        var clusterId = "k8s-" + Guid.NewGuid().ToString("N")[..8];
        var httpPort = RedisServer.FreePort();
        var pod = "dtq-silo-7d9f-x2k4p";
        var template = Map(Single("Deployment", "dtq-silo"), "spec", "template");
        var container = (YamlMappingNode)Sequence(Map(template, "spec"), "containers")[0];
        var environment = new Dictionary<string, string>();
        foreach (var variable in Sequence(container, "env").Cast<YamlMappingNode>())
        {
            var name = Text(variable, "name")!;
            environment[name] = Text(variable, "value") ?? Resolve(Map(variable, "valueFrom"), redis, pod, clusterId);
        }
        // Ports this machine has free, in place of the pod's (other tests' silos may hold 11111 and 30000).
        environment["TaskQueue__SiloPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture);
        environment["TaskQueue__GatewayPort"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture);
        environment["ASPNETCORE_HTTP_PORTS"] = httpPort.ToString(CultureInfo.InvariantCulture);

        await using var silo = await SiloProcess.StartWithEnvironmentAsync(environment, httpPort);
        using var http = new HttpClient();
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            var path = Text(Map(container, probe, "httpGet"), "path");
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}{path}"));
            Assert.True(response.IsSuccessStatusCode, $"{probe} {path}: {(int)response.StatusCode}");
        }

        await using var client = await TaskClient.ConnectAsync(redis.ConnectionString, o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
        var id = await client.SubmitAsync(BuiltInTasks.Echo, """{"from":"pod"}""", environment["TaskQueue__Worker__Queues__0"]);
        Assert.Equal("pod", (await client.WaitForResultAsync<JsonElement>(id, TimeSpan.FromSeconds(30))).GetProperty("from").GetString());
        // The pod's name is the worker's, and the silo advertises the pod's IP.
        var worker = (await client.GetTaskAsync(id))!.Worker!;
        Assert.StartsWith($"{pod}@127.0.0.1:", worker, StringComparison.Ordinal);
    }

    /// <summary>The downward API and the Secret, as Kubernetes would fill them for this pod.</summary>
    private static string Resolve(YamlMappingNode from, RedisServer redis, string pod, string clusterId)
    {
        if (from.Children.ContainsKey(new YamlScalarNode("secretKeyRef"))) return redis.ConnectionString;
        var field = Text(Map(from, "fieldRef"), "fieldPath");
        return field switch
        {
            "metadata.name" => pod,
            "metadata.namespace" => "default",
            "status.podIP" => "127.0.0.1",
            "metadata.labels['orleans/serviceId']" or "metadata.labels['orleans/clusterId']" => clusterId,
            _ => throw new InvalidOperationException($"the test does not know how Kubernetes fills {field}"),
        };
    }
}
