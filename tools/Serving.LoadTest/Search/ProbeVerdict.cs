using System.Globalization;
using Serving.Planning.LoadTests;
using Serving.Planning.Planner;

namespace Serving.LoadTest.Search;

/// <summary>
/// Whether the server sustained a probe's offered rate within the SLOs: attainment at least the target, and it kept
/// up (<see cref="KeptUp"/>: an achieved rate of at least 95% of the offered one, no queue that grew over the run).
/// <see cref="Misses"/> says which failed, as people read it.
/// </summary>
internal sealed record ProbeVerdict(double Offered, double Achieved, double Attainment, IReadOnlyList<string> Misses)
{
    public bool Passed => Misses.Count == 0;

    public static ProbeVerdict Of(double offered, RunSummary run, SearchSettings s)
    {
        var misses = new List<string>();
        if (run.SloAttainment < s.Target)
            misses.Add($"attainment {100 * run.SloAttainment:0.#}% < {100 * s.Target:0.#}%");
        // Against the rate the requests were really offered at (the schedule's sample of the nominal one).
        var sent = run.SentRate > 0 && double.IsFinite(run.SentRate) ? run.SentRate : offered;
        var kept = new KeptUp.Verdict(sent, run.AchievedRate, run.TtftFirstThirdMs, run.TtftLastThirdMs, Math.Max(run.QueueAllowanceMs, 50));
        if (!kept.Achieved)
            misses.Add($"achieved {F(run.AchievedRate)} < {100 * KeptUp.AchievedShare:0}% of the {F(sent)} req/s sent");
        if (kept.QueueGrew)
            misses.Add($"queue grew: TTFT p50 {run.TtftFirstThirdMs:0} → {run.TtftLastThirdMs:0} ms");
        return new ProbeVerdict(offered, run.AchievedRate, run.SloAttainment, misses);
    }

    static string F(double rate) => rate.ToString("0.##", CultureInfo.InvariantCulture);
}
