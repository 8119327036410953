using Serving.Host.Profiling;
using Serving.Tests.Shared;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// docker-compose.yml and the Dockerfile as written (this machine has no Docker engine; ComposeConfigTests reads the
/// file through docker-compose): every SERVING_* variable they set is one `serving` reads, every process gets the same
/// cluster and planner settings, and the profile volume is where the default profile lookup looks.
/// </summary>
public sealed class ComposeFileTests
{
    static readonly string Root = RepositoryRoot.Find();

    [Fact]
    public void ComposeServices_SetOnlyVariablesServingReads()
    {
        var known = ServingVariables.All();

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
    public void ComposeServices_AllJoinTheSameRedisAndDrainAlike()
    {
        var services = ServingServices();

        foreach (var variable in new[] { "SERVING_REDIS", "SERVING_REDIS_PASSWORD_FILE", "SERVING_DRAIN_TIMEOUT_S" })
        {
            Assert.All(services.Values, e => Assert.False(string.IsNullOrEmpty(e.GetValueOrDefault(variable)), variable));
            Assert.Single(services.Values.Select(e => e.GetValueOrDefault(variable)).Distinct());
        }
    }

    [Fact]
    public void ComposeServices_MountTheProfilesWhereTheDefaultLookupLooks()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var folder = Path.GetRelativePath(home, Path.GetDirectoryName(ProfilePaths.DefaultPath("m", "d", "t"))!).Replace('\\', '/');
        // The image's user's home: the containers run as that user.
        var imageHome = DockerfileEnv()["HOME"];

        foreach (var service in ServiceNodes().Where(s => RunsServing(s.Value)))
        {
            var volumes = ((YamlSequenceNode)service.Value.Children[new YamlScalarNode("volumes")]).Children.Select(v => ((YamlScalarNode)v).Value!);
            Assert.Contains($"profiles:{imageHome}/{folder}", volumes);
        }
    }

    [Fact]
    public void Dockerfile_SetsOnlyVariablesServingReads()
    {
        var known = ServingVariables.All();
        var set = DockerfileEnv().Keys.Where(k => k.StartsWith("SERVING_", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(set);
        Assert.All(set, v => Assert.True(known.Contains(v), $"the Dockerfile sets {v}, which `serving` does not read"));
    }

    // The services that run `serving` processes: built from the repository's Dockerfile, with an environment (Redis,
    // its password maker and the one-shot `certs` are not).
    static bool RunsServing(YamlMappingNode service) =>
        service.Children.ContainsKey(new YamlScalarNode("build")) && service.Children.ContainsKey(new YamlScalarNode("environment"));

    static Dictionary<string, Dictionary<string, string?>> ServingServices() =>
        ServiceNodes().Where(s => RunsServing(s.Value)).ToDictionary(
            s => s.Key,
            s => ((YamlMappingNode)s.Value.Children[new YamlScalarNode("environment")]).Children
                .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value));

    // The runtime stage's ENV variables.
    static Dictionary<string, string> DockerfileEnv() =>
        DockerfileModel.Load(Path.Combine(Root, "deploy", "docker", "Dockerfile")).Final.All("ENV")
            .SelectMany(e => e.Words).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    static Dictionary<string, YamlMappingNode> ServiceNodes()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "docker-compose.yml")));
        var stream = new YamlStream();
        // Compose files share settings through anchors and `<<` merge keys.
        stream.Load(new MergingParser(new Parser(reader)));
        var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        return services.Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => (YamlMappingNode)s.Value);
    }
}
