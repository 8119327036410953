using System.Globalization;
using Serving.LoadTest.Metrics;

namespace Serving.LoadTest.Search;

/// <summary>
/// Whether the server sustained a probe's offered rate within the SLOs: attainment at least the target, the achieved
/// rate at least <see cref="SearchSettings.KeptUpShare"/> of the offered one, and no queue that grew over the run
/// (median TTFT of the last third of the requests at most <see cref="SearchSettings.QueueGrowth"/> times the first
/// third's, plus an allowance for Poisson bursts: <see cref="SearchSettings.QueueSlackMs"/> or the run's median
/// request latency, whichever is larger — a queue that grew by less than one request's latency is noise, one that
/// grows run after run is not). <see cref="Misses"/> says which failed, as people read it.
/// </summary>
internal sealed record ProbeVerdict(double Offered, double Achieved, double Attainment, IReadOnlyList<string> Misses)
{
    public bool Passed => Misses.Count == 0;

    public static ProbeVerdict Of(double offered, RunSummary run, SearchSettings s)
    {
        var misses = new List<string>();
        if (run.SloAttainment < s.Target)
            misses.Add($"attainment {100 * run.SloAttainment:0.#}% < {100 * s.Target:0.#}%");
        if (!(run.AchievedRate >= s.KeptUpShare * offered))
            misses.Add($"achieved {F(run.AchievedRate)} < {100 * s.KeptUpShare:0}% of {F(offered)} req/s");
        if (QueueGrew(run, s))
            misses.Add($"queue grew: TTFT p50 {run.TtftFirstThirdMs:0} → {run.TtftLastThirdMs:0} ms");
        return new ProbeVerdict(offered, run.AchievedRate, run.SloAttainment, misses);
    }

    static bool QueueGrew(RunSummary run, SearchSettings s) =>
        double.IsFinite(run.TtftFirstThirdMs) && double.IsFinite(run.TtftLastThirdMs)
        && run.TtftLastThirdMs > s.QueueGrowth * run.TtftFirstThirdMs + Math.Max(s.QueueSlackMs, run.E2elMs.Median is var m && double.IsFinite(m) ? m : 0);

    static string F(double rate) => rate.ToString("0.##", CultureInfo.InvariantCulture);
}
