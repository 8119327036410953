using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Planning.Control;

/// <summary>
/// One round of runtime re-planning: replays the observed window on the current configuration to correct the
/// profile (the prefill and decode factors that make the replay's median TTFT and TPOT the observed ones — NVIDIA
/// Dynamo's planner corrects by observed ÷ predicted latency, which queueing distorts), plans for the observed length
/// mix and prefix hit rate with the corrected profile, and switches only when the best plan beats the current
/// configuration by the hysteresis margin.
/// Pure: the caller owns the clock, the window and applying the result.
/// </summary>
public static class Replanner
{
    /// <param name="window">Recently finished requests, in any order.</param>
    /// <param name="current">What the cluster runs now.</param>
    /// <param name="mayChange">False while the minimum interval since the last change has not passed.</param>
    public static ControlDecision Decide(IReadOnlyList<ObservedRequest> window, ClusterConfig current, WorkerProfile profile, ControlSettings settings, bool mayChange = true)
    {
        var slo = settings.Slo;
        var observed = window.Count == 0 ? 1 : (double)window.Count(r => r.Meets(slo)) / window.Count;
        var hitRate = PrefixHitRate(window);
        if (window.Count < settings.MinSamples)
            return new ControlDecision(window.Count, Rate(window), observed, 1, 1, double.NaN, null, null, false,
                $"waiting for traffic: {window.Count} of {settings.MinSamples} finished requests in the window.",
                // Too little traffic to plan from: the least the current setup's roles can run on.
                Desired: SizedFor(current, goodput: 1, rate: 0, settings.ScaleHeadroom), PrefixHitRate: hitRate);

        var replay = Replay(window);
        var (prefillFactor, decodeFactor) = Corrections(window, current, profile, replay);
        var corrected = profile.Corrected(prefillFactor, decodeFactor);
        var predicted = Simulator.Run(current, corrected, replay).Attainment(slo);

        var space = (settings.Space ?? new SearchSpace()) with
        {
            MaxBatchedPrefillTokens = [current.MaxBatchedPrefillTokens],
            MaxDecodeBatches = [current.MaxDecodeBatch],
            KvCapacityTokens = current.KvCapacityTokens,
        };
        var workload = new WorkloadSpec(new EmpiricalLength(window.Select(r => r.PromptTokens)), new EmpiricalLength(window.Select(r => r.OutputTokens)), hitRate);
        var request = new PlanRequest(current.Workers, slo, workload, settings.AttainmentTarget, settings.PlanRequests, settings.Seed, space);
        var plan = PlacementPlanner.Plan(request, corrected, settings.MaxParallelism);
        var now = PlacementPlanner.Evaluate(current, corrected, request);
        var best = plan.Best.Goodput > now.Goodput ? plan.Best : now;

        string reason;
        var change = false;
        if (best.Goodput <= 0)
            return ByAttainment(window, current, corrected, settings, request, plan, now, observed, prefillFactor, decodeFactor, predicted, mayChange) with { PrefixHitRate = hitRate };
        if (SameSetup(best.Config, current))
            reason = $"keeping {Label(current)}: it is the best of {plan.Candidates.Count} candidates ({now.Goodput:0.##} req/s predicted).";
        else if (best.Goodput < now.Goodput * (1 + settings.Hysteresis))
            reason = $"keeping {Label(current)}: {Label(best.Config)} predicts {best.Goodput:0.##} req/s vs {now.Goodput:0.##}, less than {settings.Hysteresis:P0} better.";
        else if (!mayChange)
            reason = $"keeping {Label(current)} for now: {Label(best.Config)} predicts {best.Goodput:0.##} req/s vs {now.Goodput:0.##}, but the last change was too recent.";
        else
        {
            change = true;
            reason = $"switching {Label(current)} → {Label(best.Config)}: predicted goodput {now.Goodput:0.##} → {best.Goodput:0.##} req/s.";
        }
        return new ControlDecision(window.Count, Rate(window), observed, prefillFactor, decodeFactor, predicted, now, best, change, reason,
            SizedFor(best.Config, best.Goodput, Rate(window), settings.ScaleHeadroom), hitRate);
    }

    /// <summary>
    /// Σ cached ÷ Σ prompt tokens over the window's completed requests (0 when there are none): the share of prompt
    /// work prefix caches saved. A failed request may never have reached a worker's cache, so its 0 says nothing.
    /// </summary>
    public static double PrefixHitRate(IReadOnlyList<ObservedRequest> window)
    {
        long prompt = 0, cached = 0;
        foreach (var r in window.Where(r => r.Completed && r.PromptTokens > 0))
        {
            prompt += r.PromptTokens;
            cached += Math.Clamp(r.CachedTokens, 0, r.PromptTokens);
        }
        return prompt == 0 ? 0 : (double)cached / prompt;
    }

    /// <summary>
    /// <paramref name="config"/>'s split of workers sized to serve <paramref name="rate"/> plus the headroom, given
    /// that it serves <paramref name="goodput"/> as it is: each role's count scaled by the ratio and rounded up, at
    /// least one of every role it uses. Pools of independent workers serve in proportion to their size (DistServe's
    /// per-device goodput rests on the same replication); once the new workers join, the runtime planner plans the
    /// split for the larger cluster from what it then observes.
    /// </summary>
    public static ClusterConfig SizedFor(ClusterConfig config, double goodput, double rate, double headroom)
    {
        var scale = rate * (1 + headroom) / goodput;
        int Sized(int workers) => workers == 0 ? 0 : Math.Max(1, (int)Math.Ceiling(workers * scale - 1e-9));
        return config with { PrefillWorkers = Sized(config.PrefillWorkers), DecodeWorkers = Sized(config.DecodeWorkers), MixedWorkers = Sized(config.MixedWorkers) };
    }

    /// <summary>
    /// When no candidate reaches the target at any rate (goodput 0 for all — the SLO is beyond this hardware for this
    /// traffic), goodput cannot rank them: rank by predicted attainment at the observed rate instead, and switch when
    /// the best gains at least 5 points (or the hysteresis share of the current attainment, if larger).
    /// </summary>
    private static ControlDecision ByAttainment(
        IReadOnlyList<ObservedRequest> window, ClusterConfig current, WorkerProfile corrected, ControlSettings settings, PlanRequest request,
        Plan plan, CandidatePlan now, double observed, double prefillFactor, double decodeFactor, double predicted, bool mayChange)
    {
        var rate = Math.Max(Rate(window), 1e-3);
        double At(ClusterConfig c) => PlacementPlanner.AttainmentAt(c, corrected, request, [rate])[0];
        var currentAttainment = At(current);
        var (bestConfig, bestAttainment) = plan.Candidates.Select(c => (c.Config, Attainment: At(c.Config)))
            .OrderByDescending(c => c.Attainment).First();
        var bestPlan = new CandidatePlan(bestConfig, 0, bestAttainment);
        var nowPlan = now with { Attainment = currentAttainment };
        var margin = Math.Max(0.05, settings.Hysteresis * currentAttainment);
        string reason;
        var change = false;
        var figures = $"no setup meets the SLO at any rate; at the observed {rate:0.##} req/s {Label(bestConfig)} predicts {bestAttainment:P0} attainment vs {currentAttainment:P0}";
        if (SameSetup(bestConfig, current) || bestAttainment < currentAttainment + margin)
            reason = $"keeping {Label(current)}: {figures}, less than {margin:P0} better.";
        else if (!mayChange)
            reason = $"keeping {Label(current)} for now: {figures}, but the last change was too recent.";
        else
        {
            change = true;
            reason = $"switching {Label(current)} → {Label(bestConfig)}: {figures}.";
        }
        return new ControlDecision(window.Count, Rate(window), observed, prefillFactor, decodeFactor, predicted, nowPlan, bestPlan, change, reason);
    }

    /// <summary>Whether two configurations run the same way (the knobs runtime control changes: roles, G, threshold).</summary>
    public static bool SameSetup(ClusterConfig a, ClusterConfig b)
    {
        if ((a.PrefillWorkers, a.DecodeWorkers, a.MixedWorkers) != (b.PrefillWorkers, b.DecodeWorkers, b.MixedWorkers))
            return false;
        var threshold = a.PrefillWorkers == 0 || a.ShortPromptThreshold == b.ShortPromptThreshold;
        return threshold && (!a.PrefillsLocally || a.LayerGroups == b.LayerGroups);
    }

    /// <summary>A configuration as people read it, e.g. <c>1P+1D</c>, <c>2M G4</c> or <c>1P+3D G2 T128</c>.</summary>
    public static string Label(ClusterConfig c)
    {
        var label = c.Shape;
        if (c.PrefillsLocally && c.LayerGroups > 1) label += $" G{c.LayerGroups}";
        if (c.PrefillWorkers > 0 && c.ShortPromptThreshold > 0) label += $" T{c.ShortPromptThreshold}";
        return label;
    }

    /// <summary>The window's requests as a simulated workload: their own arrival times (from 0), lengths and cached prefixes.</summary>
    internal static IReadOnlyList<SimRequest> Replay(IReadOnlyList<ObservedRequest> window)
    {
        var ordered = window.OrderBy(r => r.ArrivalSeconds).ToArray();
        var start = ordered[0].ArrivalSeconds;
        return [.. ordered.Select((r, i) => new SimRequest(
            i, r.ArrivalSeconds - start, Math.Max(1, r.PromptTokens), Math.Max(1, r.OutputTokens), Math.Clamp(r.CachedTokens, 0, Math.Max(1, r.PromptTokens))))];
    }

    /// <summary>Requests per second over the window's arrivals (0 with fewer than two).</summary>
    public static double Rate(IReadOnlyList<ObservedRequest> window)
    {
        if (window.Count < 2) return 0;
        var span = window.Max(r => r.ArrivalSeconds) - window.Min(r => r.ArrivalSeconds);
        return span > 0 ? (window.Count - 1) / span : 0;
    }

    /// <summary>
    /// The prefill and decode factors under which the replayed window's median TTFT and median TPOT are the observed
    /// ones, each found by bisection while the other is held (two rounds, as a mixed worker couples them), starting
    /// from the plain ratios. Near saturation a ratio overshoots: TTFT is mostly queueing there, and queueing grows
    /// faster than the service time that causes it — matching finds the service-time factor itself.
    /// </summary>
    internal static (double Prefill, double Decode) Corrections(
        IReadOnlyList<ObservedRequest> window, ClusterConfig current, WorkerProfile profile, IReadOnlyList<SimRequest> replay)
    {
        var ttft = Median(window.Where(r => r.Completed).Select(r => r.Ttft));
        var tpot = Median(window.Where(r => r.Completed && r.OutputTokens > 1).Select(r => r.Tpot));
        (double Ttft, double Tpot) Simulated(double p, double d)
        {
            var outcomes = Simulator.Run(current, profile.Corrected(p, d), replay).Requests;
            return (Median(outcomes.Where(r => r.Completed).Select(r => r.Ttft)),
                    Median(outcomes.Where(r => r.Completed && r.OutputTokens > 1).Select(r => r.Tpot)));
        }

        var raw = Simulated(1, 1);
        var prefill = Ratio(ttft, raw.Ttft);
        var decode = Ratio(tpot, raw.Tpot);
        for (var round = 0; round < 2; round++)
        {
            if (Usable(ttft, raw.Ttft)) prefill = Match(f => Simulated(f, decode).Ttft, ttft, prefill);
            if (Usable(tpot, raw.Tpot)) decode = Match(f => Simulated(prefill, f).Tpot, tpot, decode);
        }
        return (prefill, decode);
    }

    private static bool Usable(double observed, double simulated) => observed > 0 && simulated > 0; // false for NaN too

    private static double Ratio(double observed, double simulated) =>
        Usable(observed, simulated) ? Math.Clamp(observed / simulated, 1 / ControlSettings.MaxCorrection, ControlSettings.MaxCorrection) : 1;

    // The factor in [1/MaxCorrection, MaxCorrection] at which simulated(factor), non-decreasing, reaches the target:
    // the guess itself when it does (to 0.1%), else bisection on the factor's logarithm to 0.1%. A target no factor in
    // range reaches (say, a TTFT below the profile's transfer time) keeps the guess, the clamped ratio, rather than a bound.
    private static double Match(Func<double, double> simulated, double target, double guess)
    {
        const double Tolerance = 1e-3;
        if (Math.Abs(simulated(guess) - target) <= Tolerance * target) return guess;
        double lo = -Math.Log(ControlSettings.MaxCorrection), hi = Math.Log(ControlSettings.MaxCorrection);
        if (simulated(Math.Exp(lo)) >= target || simulated(Math.Exp(hi)) <= target) return guess;
        while (hi - lo > Tolerance)
        {
            var mid = (lo + hi) / 2;
            if (simulated(Math.Exp(mid)) < target) lo = mid; else hi = mid;
        }
        return Math.Exp((lo + hi) / 2);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
