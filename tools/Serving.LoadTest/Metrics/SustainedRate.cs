using Serving.Planning.LoadTests;
using Serving.Planning.Planner;

namespace Serving.LoadTest.Metrics;

/// <summary>A run's figures for <see cref="KeptUp"/>, the rule the planner's simulated probes follow too.</summary>
internal static class SustainedRate
{
    // The least TTFT rise that counts as a queue, whatever the latency: below it is a network's and a client's noise.
    const double MinSlackS = 0.05;

    /// <summary>
    /// The successful requests judged in seconds: offered at their schedule (under --max-concurrency a request waiting
    /// for a slot is still offered on time), completed at their send plus their latency.
    /// </summary>
    public static KeptUp.Verdict Judge(IReadOnlyList<RequestResult> results) =>
        KeptUp.Judge([.. results.Where(r => r.Success && r.SentS is not null)
            .Select(r => new KeptUp.Request(r.ScheduledS, r.SentS!.Value + r.E2elMs / 1000, r.TtftMs / 1000, r.E2elMs / 1000))], MinSlackS);
}
