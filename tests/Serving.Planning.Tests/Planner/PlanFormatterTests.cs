using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Planning.Tests.Planner;

public sealed class PlanFormatterTests
{
    [Fact]
    public void Format_RankedPlan_PrintsHeaderAndOneRowPerCandidateBestFirst()
    {
        var request = new PlanRequest(4, new Slo(0.2, 0.05), new WorkloadSpec(new FixedLength(10), new FixedLength(10)));
        var plan = new Plan(request,
        [
            new CandidatePlan(new ClusterConfig(1, 3, 0, LayerGroups: 4, ShortPromptThreshold: 128), 12.5, 0.93),
            new CandidatePlan(new ClusterConfig(0, 0, 4), 6.25, 0.9),
        ]);

        var lines = PlanFormatter.Format(plan).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("TTFT ≤ 200 ms, TPOT ≤ 50 ms, attainment ≥ 90%", lines[0]);
        Assert.StartsWith("#  workers", lines[1]);
        Assert.Equal(["1", "1P+3D", "4", "128", "4096", "64", "12.5", "3.125", "93.0%"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["2", "4M", "1", "0", "4096", "64", "6.25", "1.563", "90.0%"], lines[4].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void Format_SloWithMaxItl_PrintsIt()
    {
        var request = new PlanRequest(2, new Slo(1, 0.05, 0.15), new WorkloadSpec(new FixedLength(10), new FixedLength(10)));

        var text = PlanFormatter.Format(new Plan(request, [new CandidatePlan(new ClusterConfig(0, 0, 2), 1, 1)]));

        Assert.Contains("max ITL ≤ 150 ms", text);
    }

    [Fact]
    public void Format_PrefixHitRate_PrintsItWhenThereIsOne()
    {
        var workload = new WorkloadSpec(new FixedLength(10), new FixedLength(10));
        string Header(double rate) => PlanFormatter.Format(new Plan(new PlanRequest(2, new Slo(1, 0.05), workload with { PrefixHitRate = rate }),
            [new CandidatePlan(new ClusterConfig(0, 0, 2), 1, 1)])).Split(Environment.NewLine)[0];

        Assert.EndsWith("2 workers, 1 candidates; prefix hit rate 62.5%", Header(0.625));
        Assert.DoesNotContain("prefix", Header(0));
    }
}
