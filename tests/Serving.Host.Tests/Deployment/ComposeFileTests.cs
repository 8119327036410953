using System.CommandLine;
using System.Text.RegularExpressions;
using Serving.Engine.DefaultModel;
using Serving.Host.Profiling;
using Serving.Tests.Shared;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// docker-compose.yml and the Dockerfile, checked statically (this machine has no Docker engine): every SERVING_*
/// variable they set is one `serving` reads, and the profile volume is where the default profile lookup looks.
/// </summary>
public sealed partial class ComposeFileTests
{
    static readonly string Root = RepositoryRoot.Find();

    [Fact]
    public void ComposeServices_SetOnlyVariablesServingReads()
    {
        var known = ServeVariables();

        foreach (var (name, environment) in ServingServices())
        {
            Assert.Contains("SERVING_ROLES", environment.Keys);
            foreach (var variable in environment.Keys.Where(k => k.StartsWith("SERVING_", StringComparison.Ordinal)))
                Assert.True(known.Contains(variable), $"service {name} sets {variable}, which `serving` does not read");
        }
    }

    [Fact]
    public void ComposeServices_AllGetTheSamePlannerSettings()
    {
        var services = ServingServices();
        Assert.Equal(["decode", "gateway", "prefill"], services.Keys.Order(StringComparer.Ordinal));

        // The planner grain runs on whichever silo activates it, with that process's options.
        string[] planner = ["SERVING_PLANNER", "SERVING_SLO_TTFT_MS", "SERVING_SLO_TPOT_MS", "SERVING_SLO_ATTAINMENT"];
        foreach (var variable in planner)
            Assert.Single(services.Values.Select(e => e.GetValueOrDefault(variable)).Distinct());
        Assert.All(services.Values, e => Assert.NotNull(e.GetValueOrDefault("SERVING_SLO_TTFT_MS")));
    }

    [Fact]
    public void ComposeServices_MountTheProfilesWhereTheDefaultLookupLooks()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var folder = Path.GetRelativePath(home, Path.GetDirectoryName(ProfilePaths.DefaultPath("m", "d", "t"))!).Replace('\\', '/');

        foreach (var service in ServiceNodes().Where(s => s.Key != "redis"))
        {
            var volumes = ((YamlSequenceNode)service.Value.Children[new YamlScalarNode("volumes")]).Children.Select(v => ((YamlScalarNode)v).Value!);
            Assert.Contains($"profiles:/root/{folder}", volumes); // the runtime image runs as root
        }
    }

    [Fact]
    public void Dockerfile_SetsOnlyVariablesServingReads()
    {
        var known = ServeVariables();
        var set = DockerfileEnv().Matches(File.ReadAllText(Path.Combine(Root, "deploy", "docker", "Dockerfile"))).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(set);
        Assert.All(set, v => Assert.True(known.Contains(v), $"the Dockerfile sets {v}, which `serving` does not read"));
    }

    // The variable of every `serving` option (each description ends in "[SERVING_...]"), and the default model's root.
    static HashSet<string> ServeVariables()
    {
        var root = new RootCommand();
        ServeCommand.Configure(root);
        var names = root.Options.Select(o => OptionVariable().Match(o.Description ?? "")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("SERVING_REDIS", names);
        names.Add(DefaultModelStore.RootVariable);
        return names;
    }

    static Dictionary<string, Dictionary<string, string?>> ServingServices() =>
        ServiceNodes().Where(s => s.Key != "redis").ToDictionary(
            s => s.Key,
            s => ((YamlMappingNode)s.Value.Children[new YamlScalarNode("environment")]).Children
                .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value));

    static Dictionary<string, YamlMappingNode> ServiceNodes()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "docker-compose.yml")));
        var stream = new YamlStream();
        // Compose files share settings through anchors and `<<` merge keys.
        stream.Load(new MergingParser(new Parser(reader)));
        var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        return services.Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => (YamlMappingNode)s.Value);
    }

    [GeneratedRegex(@"\[(SERVING_[A-Z0-9_]+)\]$")]
    private static partial Regex OptionVariable();

    [GeneratedRegex(@"^ENV\s+(SERVING_[A-Z0-9_]+)=", RegexOptions.Multiline)]
    private static partial Regex DockerfileEnv();
}
