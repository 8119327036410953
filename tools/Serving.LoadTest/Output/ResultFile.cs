using System.Text.Json;
using Serving.LoadTest.Arrivals;
using Serving.LoadTest.Client;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Search;
using Serving.LoadTest.Workloads;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Output;

/// <summary>
/// Everything a run produced and everything needed to repeat it: the command line, machine, target, workload,
/// arrivals, seed and SLOs; each run's summary and every request's timings; the search's probes.
/// </summary>
internal sealed record ResultFile
{
    public string Tool { get; init; } = "serving-loadtest";
    public required string Mode { get; init; }
    public required string StartedUtc { get; init; }
    public required IReadOnlyList<string> CommandLine { get; init; }
    public required MachineInfo Machine { get; init; }
    public required TargetSettings Target { get; init; }
    public required WorkloadSettings Workload { get; init; }
    /// <summary>Whether prompts are made of the target's own tokens (else of words, lengths approximate).</summary>
    public required bool PromptsFromServerTokenizer { get; init; }
    public required ArrivalMode Arrival { get; init; }
    public required double Burstiness { get; init; }
    public required int? MaxConcurrency { get; init; }
    public required int Seed { get; init; }
    public required Slo Slo { get; init; }
    public required IReadOnlyList<double> Percentiles { get; init; }
    public required IReadOnlyList<RunRecord> Runs { get; init; }
    public SearchResult? Search { get; init; }
    /// <summary>Requests sent and discarded before the first run.</summary>
    public int Warmups { get; init; }

    public static ResultFile Read(string path) =>
        JsonSerializer.Deserialize<ResultFile>(File.ReadAllText(path), ResultWriter.Json) ?? throw new FormatException($"{path}: empty result file");
}
