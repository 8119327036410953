using Serving.Planning.Planner;

namespace Serving.LoadTest.Metrics;

/// <summary>A run's figures for <see cref="KeptUp"/>, the rule the planner's simulated probes follow too.</summary>
internal static class SustainedRate
{
    /// <summary>Requests completed per second over the span of successful completions (see <see cref="KeptUp.AchievedRate"/>).</summary>
    public static double Achieved(IReadOnlyList<RequestResult> results) =>
        KeptUp.AchievedRate(results.Where(r => r.Success && r.SentS is not null).Select(r => r.SentS!.Value + r.E2elMs / 1000));

    /// <summary>Requests sent per second over the span of their sends: the rate actually offered.</summary>
    public static double Sent(IReadOnlyList<RequestResult> results) =>
        KeptUp.AchievedRate(results.Where(r => r.SentS is not null).Select(r => r.SentS!.Value));

    /// <summary>Median TTFT (ms) of the successful requests sent in the first third of the run, and in the last third.</summary>
    public static (double FirstMs, double LastMs) TtftThirds(IReadOnlyList<RequestResult> results) =>
        KeptUp.TtftThirds(results.Where(r => r.Success && r.SentS is not null).Select(r => (r.SentS!.Value, r.TtftMs)));
}
