using Serving.LoadTest.Metrics;
using Serving.LoadTest.Search;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>Everything one invocation was asked to do.</summary>
internal sealed record LoadTestSettings
{
    public required TargetSettings Target { get; init; }
    /// <summary>Sent as a bearer token; never written to the result file.</summary>
    public string? ApiKey { get; init; }
    public WorkloadSettings Workload { get; init; } = new();
    /// <summary>Set for the multi-turn workload (closed-loop conversations; <see cref="Workload"/> gives the output lengths and the ShareGPT file).</summary>
    public MultiTurnSettings? MultiTurn { get; init; }
    /// <summary>Set for the shared-prefix workload (<see cref="Workload"/> gives the output lengths).</summary>
    public SharedPrefixSettings? SharedPrefix { get; init; }
    /// <summary>Scrape the server's /metrics before and after each run and report its counters' changes.</summary>
    public bool ServerMetrics { get; init; } = true;
    public ArrivalMode Arrival { get; init; } = ArrivalMode.Poisson;
    /// <summary>Requests per second for Poisson arrivals (infinity: all at once).</summary>
    public double Rate { get; init; } = double.PositiveInfinity;
    public double Burstiness { get; init; } = 1;
    public int? MaxConcurrency { get; init; }
    public int Seed { get; init; }
    public Slo Slo { get; init; } = Slo.None;
    public IReadOnlyList<double> Percentiles { get; init; } = [90, 99];
    public IReadOnlyList<double> SweepRates { get; init; } = [];
    public SearchSettings Search { get; init; } = new();
    /// <summary>Where result.json, summary.md and the plots go (created).</summary>
    public required string OutDir { get; init; }
    public bool Plots { get; init; } = true;
    public bool Progress { get; init; } = true;
    /// <summary>Requests sent (at once) and discarded before the first run, so no run measures the server's warm-up.</summary>
    public int Warmups { get; init; }
    /// <summary>Skip the single request sent first to check the configuration.</summary>
    public bool SkipPreflight { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}
