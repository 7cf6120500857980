using YamlDotNet.RepresentationModel;

namespace DistributedTaskQueue.Tests.Deploy;

/// <summary>The repository's deploy/ files, parsed: every Kubernetes document by kind, and the Dockerfile's lines.</summary>
internal static class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string Kubernetes => Path.Combine(Root, "deploy", "kubernetes");

    /// <summary>Every YAML document under deploy/kubernetes with the file it came from.</summary>
    public static List<(string File, YamlMappingNode Document)> Documents()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var file in Directory.GetFiles(Kubernetes, "*.yaml").Order())
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            foreach (var document in stream.Documents) documents.Add((Path.GetFileName(file), (YamlMappingNode)document.RootNode));
        }
        return documents;
    }

    public static YamlMappingNode Single(string kind, string name) =>
        Documents().Select(d => d.Document).Single(d => Text(d, "kind") == kind && Text(Map(d, "metadata"), "name") == name);

    public static YamlMappingNode Map(YamlMappingNode node, params string[] path)
    {
        foreach (var key in path) node = (YamlMappingNode)node.Children[new YamlScalarNode(key)];
        return node;
    }

    public static YamlSequenceNode Sequence(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];

    public static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    public static string[] Dockerfile() => File.ReadAllLines(Path.Combine(Root, "deploy", "Dockerfile"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DistributedTaskQueue.slnx"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException("the repository root (DistributedTaskQueue.slnx) is not above the test binaries");
    }
}
