using Serving.Planning.Simulation;
using LoadTests = Serving.Planning.LoadTests;

namespace Serving.Host.Simulating;

/// <summary>
/// What `serving simulate --from-result` takes from a load tester's result (<see cref="LoadTests.LoadTestResult"/>):
/// every run's requests (arrival = when it was sent, the lengths the server reported) with their measured outcomes,
/// the SLO and the synthetic workload's shape.
/// </summary>
internal sealed record ResultReplay(IReadOnlyList<RateRun> Runs, Slo? Slo, WorkloadSpec? Workload)
{
    public static ResultReplay Read(string path) => Of(LoadTests.LoadTestResult.Read(path));

    public static ResultReplay Of(LoadTests.LoadTestResult result)
    {
        var workload = result.Workload is { Kind: LoadTests.WorkloadKind.Synthetic } synthetic
            ? new WorkloadSpec(Lengths(synthetic.Input), Lengths(synthetic.Output))
            : null;
        var slo = result.Slo is { TtftMs: { } ttft, TpotMs: { } tpot } ? new Slo(ttft / 1000, tpot / 1000) : null;
        return new ResultReplay([.. result.Runs.Select(run => Run(run, workload))], slo, workload);
    }

    private static RateRun Run(LoadTests.RunRecord run, WorkloadSpec? workload)
    {
        // A request the run stopped before sending counts at its scheduled time (and as failed, as the load tester counts it).
        var rows = run.Requests.OrderBy(r => r.SentS ?? r.ScheduledS).ToList();

        // A failed request reports the tokens it got, not the ones it asked for: give it what the successful ones got.
        var outputs = rows.Where(r => r.Success && r.OutputTokens > 0).Select(r => (double)r.OutputTokens).ToList();
        var fallbackOutput = outputs.Count > 0
            ? (int)LatencySummary.Percentile(outputs, 50)
            : workload?.Output switch { FixedLength f => f.Tokens, _ => 1 };

        var requests = new List<SimRequest>(rows.Count);
        var measured = new List<RequestOutcome>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var output = r.Success && r.OutputTokens > 0 ? r.OutputTokens : fallbackOutput;
            var prompt = Math.Max(1, r.PromptTokens);
            var (ttft, e2e) = (r.TtftMs / 1000, r.E2elMs / 1000);
            requests.Add(new SimRequest(i, r.SentS ?? r.ScheduledS, prompt, Math.Max(1, output)));
            measured.Add(r.Success
                ? new RequestOutcome(i, prompt, output, ttft, output > 1 ? (e2e - ttft) / (output - 1) : 0, e2e, r.ItlsMs.DefaultIfEmpty(0).Max() / 1000, 0, true)
                : new RequestOutcome(i, prompt, output, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0, false));
        }
        return new RateRun(run.Rate, requests, measured);
    }

    private static LengthDistribution Lengths(LoadTests.LengthSpec spec) => PlanningOptions.Lengths(
        spec.Distribution switch
        {
            LoadTests.LengthDistribution.Uniform => "uniform",
            LoadTests.LengthDistribution.LogNormal => "lognormal",
            _ => "fixed",
        },
        spec.Mean, spec.Min, spec.Max, spec.Sigma);
}
