using YamlDotNet.RepresentationModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>docker-compose.yml as docker-compose resolves it (`docker-compose config`): anchors merged, variables substituted.</summary>
internal sealed class ComposeConfig
{
    ComposeConfig(YamlMappingNode root)
    {
        Services = ((YamlMappingNode)root.Children[new YamlScalarNode("services")]).Children
            .ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => new ComposeService(((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value));
        Secrets = root.Children.TryGetValue(new YamlScalarNode("secrets"), out var secrets)
            ? ((YamlMappingNode)secrets).Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => ((YamlScalarNode)((YamlMappingNode)s.Value).Children[new YamlScalarNode("file")]).Value!)
            : [];
        Volumes = root.Children.TryGetValue(new YamlScalarNode("volumes"), out var volumes)
            ? ((YamlMappingNode)volumes).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet()
            : [];
    }

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    /// <summary>Secret name → the file on this machine it is read from.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; }

    /// <summary>The named volumes.</summary>
    public IReadOnlySet<string> Volumes { get; }

    /// <summary>The services that run `serving` processes (built from the repository's Dockerfile, with roles); not one-shot tools such as `certs`.</summary>
    public IEnumerable<ComposeService> ServingServices => Services.Values.Where(s => s.Build is not null && s.Environment.ContainsKey("SERVING_ROLES"));

    /// <summary>The full output too, for checks on everything the file says.</summary>
    public required string Text { get; init; }

    public static ComposeConfig Load(string root, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = DockerCompose.Run(root, environment, "-f", "docker-compose.yml", "config");
        Assert.True(result.ExitCode == 0, $"docker-compose config failed ({result.ExitCode}):{System.Environment.NewLine}{result.Error}");
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Output));
        return new ComposeConfig((YamlMappingNode)stream.Documents[0].RootNode) { Text = result.Output };
    }
}
