using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>One service of `docker-compose config` output (the resolved file), read in either syntax compose writes.</summary>
internal sealed partial class ComposeService(string name, YamlMappingNode node)
{
    public string Name { get; } = name;

    public string? Image => Scalar(node, "image");

    public string? User => Scalar(node, "user");

    public YamlMappingNode? Healthcheck => Child(node, "healthcheck") as YamlMappingNode;

    public YamlMappingNode? Build => Child(node, "build") as YamlMappingNode;

    public IReadOnlyDictionary<string, string> Environment => Child(node, "environment") switch
    {
        YamlMappingNode map => map.Children.ToDictionary(e => Text(e.Key), e => Text(e.Value)),
        YamlSequenceNode list => list.Children.Select(Text).Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
        _ => new Dictionary<string, string>(),
    };

    public IReadOnlyList<string> Command => Words(Child(node, "command"));

    public IReadOnlyList<string> Entrypoint => Words(Child(node, "entrypoint"));

    /// <summary>Short ("source:target[:mode]") or long syntax.</summary>
    public IReadOnlyList<ComposeMount> Volumes => Child(node, "volumes") is YamlSequenceNode list
        ? list.Children.Select(v => v is YamlMappingNode m
            ? new ComposeMount(Scalar(m, "source") ?? "", Scalar(m, "target") ?? "", Scalar(m, "read_only") is "true" or "True")
            : ShortMount(Text(v))).ToList()
        : [];

    /// <summary>Service name → condition (service_started for the short list form).</summary>
    public IReadOnlyDictionary<string, string> DependsOn => Child(node, "depends_on") switch
    {
        YamlMappingNode map => map.Children.ToDictionary(d => Text(d.Key), d => d.Value is YamlMappingNode m ? Scalar(m, "condition") ?? "service_started" : "service_started"),
        YamlSequenceNode list => list.Children.ToDictionary(Text, _ => "service_started"),
        _ => new Dictionary<string, string>(),
    };

    /// <summary>Secret name → the path it is mounted at (compose's default: /run/secrets/NAME).</summary>
    public IReadOnlyDictionary<string, string> Secrets => Child(node, "secrets") is YamlSequenceNode list
        ? list.Children.ToDictionary(
            s => s is YamlMappingNode m ? Scalar(m, "source")! : Text(s),
            s => s is YamlMappingNode m && Scalar(m, "target") is { } target ? (target.StartsWith('/') ? target : $"/run/secrets/{target}") : $"/run/secrets/{(s is YamlMappingNode n ? Scalar(n, "source") : Text(s))}")
        : new Dictionary<string, string>();

    public TimeSpan? StopGracePeriod => Scalar(node, "stop_grace_period") is { } value ? Duration(value) : null;

    /// <summary>The named volume mounted on the folder holding <paramref name="path"/>, if any.</summary>
    public ComposeMount? MountHolding(string path) =>
        Volumes.Where(v => path.StartsWith(v.Target.TrimEnd('/') + "/", StringComparison.Ordinal)).OrderByDescending(v => v.Target.Length).FirstOrDefault();

    /// <summary>A Go duration as compose writes it: 50s, 1m30s, 1h, 500ms.</summary>
    public static TimeSpan Duration(string value)
    {
        var parts = DurationPart().Matches(value);
        Assert.True(parts.Sum(p => p.Length) == value.Length && parts.Count > 0, $"'{value}' is not a duration");
        return TimeSpan.FromSeconds(parts.Sum(p => double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture) * p.Groups[2].Value switch
        {
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            "ms" => 1e-3,
            "us" => 1e-6,
            _ => 1e-9,
        }));
    }

    static ComposeMount ShortMount(string spec)
    {
        var parts = spec.Split(':');
        return parts.Length switch
        {
            1 => new ComposeMount("", parts[0], false),
            2 => new ComposeMount(parts[0], parts[1], false),
            _ => new ComposeMount(parts[0], parts[1], parts[2].Split(',').Contains("ro")),
        };
    }

    static IReadOnlyList<string> Words(YamlNode? value) => value switch
    {
        YamlSequenceNode list => list.Children.Select(Text).ToList(),
        YamlScalarNode scalar => [scalar.Value ?? ""],
        _ => [],
    };

    static YamlNode? Child(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|us|ns|m|s)")]
    private static partial Regex DurationPart();
}
