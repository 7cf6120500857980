using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;
using static DistributedTaskQueue.Tests.Deploy.DeployFiles;

namespace DistributedTaskQueue.Tests.Deploy;

/// <summary>No Docker engine or cluster runs here, so the deploy files are checked against what the silo reads and serves.</summary>
public sealed class DeployFilesTests
{
    private static YamlMappingNode Container => (YamlMappingNode)Sequence(Map(Single("Deployment", "dtq-silo"), "spec", "template", "spec"), "containers")[0];

    [Fact]
    public void EveryManifest_Parses_AndTheKustomizationListsTheSiloFiles()
    {
        var kinds = Documents().Select(d => (d.File, Kind: Text(d.Document, "kind"))).ToList();
        Assert.All(kinds, k => Assert.False(string.IsNullOrEmpty(k.Kind), $"{k.File}: a document without a kind"));
        foreach (var kind in new[] { "Deployment", "ServiceAccount", "Role", "RoleBinding", "Service", "PodDisruptionBudget", "StatefulSet", "Kustomization" })
            Assert.Contains(kinds, k => k.Kind == kind);
        var listed = Sequence(Documents().Single(d => d.File == "kustomization.yaml").Document, "resources").Select(r => ((YamlScalarNode)r).Value!).ToList();
        Assert.All(listed, file => Assert.True(File.Exists(Path.Combine(Kubernetes, file)), $"kustomization lists {file}, which does not exist"));
        Assert.DoesNotContain("redis-example.yaml", listed); // Redis is an external dependency, the example only for trying it out
    }

    [Fact]
    public void EveryEnvironmentVariable_TheManifestAndImageSet_IsOneTheSiloReads()
    {
        var manifest = Sequence(Container, "env").Cast<YamlMappingNode>().Select(e => Text(e, "name")!).ToList();
        var image = Dockerfile().Where(l => l.TrimStart().StartsWith("ENV ", StringComparison.Ordinal) || l.StartsWith("    ", StringComparison.Ordinal))
            .SelectMany(l => l.Replace("ENV ", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(t => t.Contains('=', StringComparison.Ordinal)).Select(t => t.Split('=')[0]).ToList();
        Assert.NotEmpty(image);
        foreach (var variable in manifest.Concat(image))
            Assert.True(SiloConfigurationKeys.IsRead(variable), $"{variable} is set by deploy/ but read by nothing in the silo");
        // The pod's identity, under the names the Orleans Kubernetes agent reads.
        foreach (var variable in new[] { PodEnvironment.PodName, PodEnvironment.PodNamespace, PodEnvironment.PodIP, PodEnvironment.ClusterId, PodEnvironment.ServiceId })
            Assert.Contains(variable, manifest);
    }

    [Fact]
    public void TheKeyCheck_RefusesKeysNothingReads()
    {
        Assert.True(SiloConfigurationKeys.IsRead("TaskQueue__Worker__Queues__0"));
        Assert.True(SiloConfigurationKeys.IsRead("TaskQueue__SubmitDedupeWindow"));
        Assert.True(SiloConfigurationKeys.IsRead("TaskQueue__ClusterId"));
        Assert.False(SiloConfigurationKeys.IsRead("TaskQueue__Worker__Queue__0"));
        Assert.False(SiloConfigurationKeys.IsRead("TaskQueue__MaxConcurrentTasks"));
        Assert.False(SiloConfigurationKeys.IsRead("TaskQueue__IsEmbedded"));
        Assert.False(SiloConfigurationKeys.IsRead("TASKQUEUE_REDIS"));
    }

    [Fact]
    public void PortsProbesAndGrace_MatchWhatTheSiloServes()
    {
        var env = Sequence(Container, "env").Cast<YamlMappingNode>().Where(e => Text(e, "value") is not null).ToDictionary(e => Text(e, "name")!, e => Text(e, "value")!);
        var ports = Sequence(Container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Text(p, "name")!, p => int.Parse(Text(p, "containerPort")!, CultureInfo.InvariantCulture));
        Assert.Equal(int.Parse(env["TaskQueue__SiloPort"], CultureInfo.InvariantCulture), ports["silo"]);
        Assert.Equal(int.Parse(env["TaskQueue__GatewayPort"], CultureInfo.InvariantCulture), ports["gateway"]);
        Assert.Equal(int.Parse(env["ASPNETCORE_HTTP_PORTS"], CultureInfo.InvariantCulture), ports["http"]);
        Assert.Equal("/health/ready", Text(Map(Container, "readinessProbe", "httpGet"), "path"));
        Assert.Equal("/health/live", Text(Map(Container, "livenessProbe", "httpGet"), "path"));
        Assert.Equal("http", Text(Map(Container, "readinessProbe", "httpGet"), "port"));

        // The pod may outlive the worker's grace period: running tasks finish or are handed back before SIGKILL.
        var grace = TimeSpan.FromSeconds(int.Parse(Text(Map(Single("Deployment", "dtq-silo"), "spec", "template", "spec"), "terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture));
        var shutdown = TimeSpan.Parse(env["TaskQueue__Worker__ShutdownGracePeriod"], CultureInfo.InvariantCulture);
        Assert.True(grace >= shutdown + TimeSpan.FromSeconds(15), $"terminationGracePeriodSeconds {grace} leaves less than 15 s after the worker's {shutdown}");

        // Services point at ports the container names; the PDB and the Services select the Deployment's pods.
        var podLabels = Map(Single("Deployment", "dtq-silo"), "spec", "template", "metadata", "labels");
        foreach (var service in new[] { "dtq-gateway", "dtq-web" })
        {
            var spec = Map(Single("Service", service), "spec");
            Assert.Equal(Text(podLabels, "app"), Text(Map(spec, "selector"), "app"));
            Assert.All(Sequence(spec, "ports").Cast<YamlMappingNode>(), p => Assert.Contains(Text(p, "targetPort")!, ports.Keys));
        }
        Assert.Equal(Text(podLabels, "app"), Text(Map(Single("PodDisruptionBudget", "dtq-silo"), "spec", "selector", "matchLabels"), "app"));
        // The cluster and service ids are labels, as the Orleans Kubernetes agent expects.
        Assert.NotNull(Text(podLabels, "orleans/clusterId"));
        Assert.NotNull(Text(podLabels, "orleans/serviceId"));
        Assert.Equal("dtq-silo", Text(Map(Single("Deployment", "dtq-silo"), "spec", "template", "spec"), "serviceAccountName"));
    }

    [Fact]
    public void TheImage_RunsTheSilosPublishedOutput_AsANonRootUser_WithAHealthCheck()
    {
        var lines = Dockerfile();
        var silo = XDocument.Load(Path.Combine(Root, "src", "Silo", "Silo.csproj"));
        var assembly = silo.Descendants("AssemblyName").Single().Value;
        var publish = lines.Single(l => l.Contains("dotnet publish src/Silo/Silo.csproj", StringComparison.Ordinal));
        // Precompiled (ReadyToRun) for a faster start; framework-dependent on the aspnet image below.
        Assert.Contains("-p:PublishReadyToRun=true", publish, StringComparison.Ordinal);
        Assert.Contains("--self-contained false", publish, StringComparison.Ordinal);
        var entry = lines.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.Equal(["dotnet", $"{assembly}.dll"], JsonSerializer.Deserialize<string[]>(entry["ENTRYPOINT".Length..]) ?? []);
        var user = lines.Single(l => l.StartsWith("USER", StringComparison.Ordinal))["USER".Length..].Trim();
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains(lines, l => l.Contains(HealthProbe.Argument, StringComparison.Ordinal));
        var exposed = lines.Single(l => l.StartsWith("EXPOSE", StringComparison.Ordinal))["EXPOSE".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order();
        var containerPorts = Sequence(Container, "ports").Cast<YamlMappingNode>().Select(p => int.Parse(Text(p, "containerPort")!, CultureInfo.InvariantCulture)).Order();
        Assert.Equal(containerPorts, exposed);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", lines.Last(l => l.StartsWith("FROM", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
