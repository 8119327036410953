using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.ServerMetrics;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Output;

/// <summary>
/// result.json: a <see cref="LoadTestResult"/> as the tools write it, with the load tester's <see cref="ResultExtras"/>
/// added where they belong — <c>multi_turn</c> / <c>shared_prefix</c> at the top, <c>prefix_cache</c> and
/// <c>server_counters</c> in each run, <c>conversation</c>, <c>turn</c>, <c>group</c>, <c>prefix_tokens</c> and
/// <c>cached_tokens</c> in each request — absent fields left out.
/// </summary>
internal static class ResultJson
{
    static readonly JsonSerializerOptions Extras = new(ResultWriter.Json) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static JsonObject Compose(LoadTestResult result, ResultExtras extras)
    {
        var root = JsonSerializer.SerializeToNode(result, ResultWriter.Json)!.AsObject();
        Add(root, "multi_turn", extras.MultiTurn);
        Add(root, "shared_prefix", extras.SharedPrefix);
        if (root["runs"] is not JsonArray runs)
            return root;
        foreach (var (i, runNode) in runs.Index())
        {
            if (runNode is not JsonObject run)
                continue;
            var extra = extras.Run(i);
            Add(run, "prefix_cache", extra.PrefixCache);
            Add(run, "server_counters", extra.ServerCounters);
            if (run["requests"] is not JsonArray requests)
                continue;
            foreach (var (j, tag) in extra.Requests.Take(requests.Count).Index())
            {
                if (requests[j] is not JsonObject request || tag == RequestTag.None)
                    continue;
                foreach (var (name, value) in JsonSerializer.SerializeToNode(tag, Extras)!.AsObject())
                    request[name] = value?.DeepClone();
            }
        }
        return root;
    }

    /// <summary>The extras in a result.json's text (none for a file written before them or by hand).</summary>
    public static ResultExtras ReadExtras(string json)
    {
        if (JsonNode.Parse(json) is not JsonObject root)
            return ResultExtras.None;
        var runs = root["runs"] is JsonArray array ? array : [];
        return new ResultExtras
        {
            MultiTurn = Read<MultiTurnSettings>(root["multi_turn"]),
            SharedPrefix = Read<SharedPrefixSettings>(root["shared_prefix"]),
            Runs = [.. runs.Select(run => run is JsonObject r
                ? new RunExtras
                {
                    PrefixCache = Read<PrefixCacheSummary>(r["prefix_cache"]),
                    ServerCounters = Read<ServerCounters>(r["server_counters"]),
                    Requests = r["requests"] is JsonArray requests ? [.. requests.Select(q => Read<RequestTag>(q) ?? RequestTag.None)] : [],
                }
                : RunExtras.None)],
        };
    }

    static void Add<T>(JsonObject into, string name, T? value) where T : class
    {
        if (value is not null)
            into[name] = JsonSerializer.SerializeToNode(value, Extras);
    }

    static T? Read<T>(JsonNode? node) where T : class => node is JsonObject ? node.Deserialize<T>(Extras) : null;
}
