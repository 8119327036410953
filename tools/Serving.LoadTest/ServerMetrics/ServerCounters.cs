using System.Text.Json.Serialization;

namespace Serving.LoadTest.ServerMetrics;

/// <summary>
/// What the server's own counters say a run did: the change over the run of each counter family Serving exports,
/// summed over its label sets; null where the server exports no such family (another server, an older Serving).
/// Other traffic to the server during the run counts too.
/// </summary>
internal sealed record ServerCounters
{
    public const string KvTransferFamily = "serving_kv_transfer_bytes";
    public const string KvSavedFamily = "serving_kv_saved_bytes";
    public const string PrefixHitFamily = "serving_prefix_cache_hit_tokens";
    public const string PrefixLookupFamily = "serving_prefix_cache_lookups";
    public const string RouterDecisionFamily = "serving_router_decisions";

    /// <summary>KV bytes moved from prefill to decode workers.</summary>
    public double? KvTransferBytes { get; init; }
    /// <summary><see cref="KvTransferBytes"/> per request sent in the run.</summary>
    public double? KvTransferBytesPerRequest { get; init; }
    /// <summary>KV bytes not sent because the decode worker already held them in its cache.</summary>
    public double? KvSavedBytes { get; init; }
    public double? PrefixCacheHitTokens { get; init; }
    public double? PrefixCacheLookups { get; init; }
    /// <summary>The router's decisions by their <c>reason</c> label.</summary>
    public IReadOnlyDictionary<string, double>? RouterDecisions { get; init; }

    [JsonIgnore]
    public bool Any => KvTransferBytes is not null || KvSavedBytes is not null || PrefixCacheHitTokens is not null
        || PrefixCacheLookups is not null || RouterDecisions is not null;

    /// <summary>The counters' change from <paramref name="before"/> to <paramref name="after"/> (a family missing before counts from 0); null when either scrape failed or no family is there.</summary>
    public static ServerCounters? Between(MetricsSnapshot? before, MetricsSnapshot? after, int requestsSent)
    {
        if (before is null || after is null)
            return null;
        var moved = Delta(KvTransferFamily);
        var router = after.SumBy(RouterDecisionFamily, "reason");
        var routerBefore = before.SumBy(RouterDecisionFamily, "reason");
        var counters = new ServerCounters
        {
            KvTransferBytes = moved,
            KvTransferBytesPerRequest = moved is { } bytes && requestsSent > 0 ? Math.Round(bytes / requestsSent, 1) : null,
            KvSavedBytes = Delta(KvSavedFamily),
            PrefixCacheHitTokens = Delta(PrefixHitFamily),
            PrefixCacheLookups = Delta(PrefixLookupFamily),
            RouterDecisions = router.Count == 0 ? null : router.ToDictionary(
                r => r.Key.Length > 0 ? r.Key : "unlabelled", r => r.Value - routerBefore.GetValueOrDefault(r.Key), StringComparer.Ordinal),
        };
        return counters.Any ? counters : null;

        double? Delta(string family) => after.Sum(family) is { } now ? now - (before.Sum(family) ?? 0) : null;
    }
}
