using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// The objects of a `helm template` output as JSON nodes (every scalar a string, as YAML wrote it), with the
/// pods they run: a workload's pod template, or a Pod itself (the helm test hook).
/// </summary>
internal sealed class RenderedChart(string text, IReadOnlyList<JsonObject> objects)
{
    public string Text { get; } = text;
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    public static RenderedChart Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var objects = stream.Documents
            .Select(d => d.RootNode)
            .Where(n => n is YamlMappingNode)
            .Select(n => (JsonObject)ToJson(n)!)
            .ToList();
        return new RenderedChart(text, objects);
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Str(o["kind"]) == kind);

    public static string Name(JsonNode o) => Str(o["metadata"]?["name"]) ?? "?";

    public static string? Label(JsonNode o, string label) => Str(o["metadata"]?["labels"]?[label]);

    /// <summary>Every pod the release runs: (owner "Kind/name", pod metadata, pod spec).</summary>
    public IEnumerable<RenderedPod> Pods()
    {
        foreach (var o in Objects)
        {
            var kind = Str(o["kind"]);
            if (kind is "Deployment" or "StatefulSet" or "DaemonSet" or "Job")
                yield return new RenderedPod($"{kind}/{Name(o)}", o, o["spec"]!["template"]!["metadata"]!.AsObject(), o["spec"]!["template"]!["spec"]!.AsObject());
            else if (kind == "Pod")
                yield return new RenderedPod($"Pod/{Name(o)}", o, o["metadata"]!.AsObject(), o["spec"]!.AsObject());
        }
    }

    /// <summary>The pods running `serving` (a container named serving): the gateway and the worker pools.</summary>
    public IEnumerable<RenderedPod> ServingPods() => Pods().Where(p => p.Serving is not null);

    public static string? Str(JsonNode? node) => node?.GetValue<string>();

    public static IEnumerable<JsonObject> Items(JsonNode? node) => node?.AsArray().Select(n => n!.AsObject()) ?? [];

    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or null } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };
}

/// <summary>One pod of the rendering: its owner, the pod template's metadata and spec.</summary>
internal sealed record RenderedPod(string Owner, JsonObject Object, JsonObject Metadata, JsonObject Spec)
{
    public IEnumerable<JsonObject> Containers => RenderedChart.Items(Spec["containers"]);

    public IEnumerable<JsonObject> InitContainers => RenderedChart.Items(Spec["initContainers"]);

    public JsonObject? Serving => Containers.FirstOrDefault(c => RenderedChart.Str(c["name"]) == "serving");

    public string? Role => RenderedChart.Str(Metadata["labels"]?["serving.dev/role"]);

    /// <summary>The serving container's literal env values by name (valueFrom entries map to null).</summary>
    public Dictionary<string, string?> Env(JsonObject? container = null) =>
        RenderedChart.Items((container ?? Serving)?["env"]).ToDictionary(e => RenderedChart.Str(e["name"])!, e => RenderedChart.Str(e["value"]), StringComparer.Ordinal);
}
