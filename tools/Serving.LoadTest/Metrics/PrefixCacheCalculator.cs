using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Metrics;

/// <summary>Turns a run's results and tags into its <see cref="PrefixCacheSummary"/>.</summary>
internal static class PrefixCacheCalculator
{
    /// <summary>Prefix caches hold whole blocks; 16 tokens is vLLM's and Serving's block.</summary>
    public const int BlockTokens = 16;

    /// <summary>The summary; null when the server reported no cached tokens and the workload is neither multi-turn nor shared-prefix (nothing to say).</summary>
    public static PrefixCacheSummary? Summarize(IReadOnlyList<RequestResult> results, IReadOnlyList<RequestTag> tags)
    {
        var ok = results.Zip(tags).Where(p => p.First.Success).ToArray();
        var (prompt, reporting, cached, rate) = Hits(ok);
        if (reporting == 0 && tags.All(t => t.Turn is null && t.Group is null))
            return null;
        var summary = new PrefixCacheSummary { PromptTokens = prompt, RequestsReporting = reporting, CachedTokens = cached, HitRate = rate };
        if (ok.Any(p => p.Second.Turn is not null))
            summary = summary with
            {
                FirstTurns = Turns(ok.Where(p => p.Second.Turn == 1)),
                LaterTurns = Turns(ok.Where(p => p.Second.Turn > 1)),
            };
        if (ok.Any(p => p.Second.Group is not null) && prompt > 0)
        {
            // The first successful request of each group (in send order) computes its prefix; every later one could reuse it.
            var reusable = ok.Where(p => p.Second.Group is not null)
                .GroupBy(p => p.Second.Group)
                .SelectMany(g => g.OrderBy(p => p.First.SentS ?? double.MaxValue).ThenBy(p => p.First.Index).Skip(1))
                .Sum(p => (long)((p.Second.PrefixTokens ?? 0) / BlockTokens * BlockTokens));
            summary = summary with { IdealHitRate = Math.Round((double)reusable / prompt, 4) };
        }
        return summary;
    }

    static TurnSummary Turns(IEnumerable<(RequestResult Result, RequestTag Tag)> turns)
    {
        var list = turns.ToArray();
        var ttfts = list.Select(p => p.Result.TtftMs).Order().ToArray();
        var (prompt, _, cached, rate) = Hits(list);
        return new TurnSummary(list.Length, Math.Round(Percentiles.Mean(ttfts), 3), Math.Round(Percentiles.Of(ttfts, 50), 3), prompt, cached, rate);
    }

    /// <summary>Σ prompt tokens; and, over the requests that reported cached tokens, how many, Σ cached and Σ cached / Σ their prompt tokens.</summary>
    static (long Prompt, int Reporting, long? Cached, double? Rate) Hits(IReadOnlyCollection<(RequestResult Result, RequestTag Tag)> requests)
    {
        var prompt = requests.Sum(p => (long)p.Result.PromptTokens);
        var reported = requests.Where(p => p.Tag.CachedTokens is not null).ToArray();
        if (reported.Length == 0)
            return (prompt, 0, null, null);
        var cached = reported.Sum(p => (long)p.Tag.CachedTokens!.Value);
        var reportedPrompt = reported.Sum(p => (long)p.Result.PromptTokens);
        return (prompt, reported.Length, cached, reportedPrompt > 0 ? Math.Round((double)cached / reportedPrompt, 4) : null);
    }
}
