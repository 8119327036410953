using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Planning.LoadTests;

/// <summary>
/// A load tester's result.json: everything a run produced and everything needed to repeat it — the command line,
/// machine, target, workload, arrivals, seed and SLOs; each run's summary and every request's timings; the search's
/// probes. The load tester (serving-loadtest) writes it and reads it back to plot; <c>serving simulate --from-result</c>
/// replays its runs. Only <see cref="Runs"/> must be present: the rest reads as absent or default from older or
/// hand-written files.
/// </summary>
public sealed record LoadTestResult
{
    // As the tools write it (their ResultWriter): snake_case names and enums, NaN and infinities by name.
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string Tool { get; init; } = "serving-loadtest";
    /// <summary>run, sweep or search.</summary>
    public string Mode { get; init; } = "";
    public string StartedUtc { get; init; } = "";
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    /// <summary>The machine as the tools describe it (their shared MachineInfo, compiled into each tool), kept as written.</summary>
    public JsonElement? Machine { get; init; }
    public TargetSettings? Target { get; init; }
    public WorkloadSettings? Workload { get; init; }
    /// <summary>Whether prompts are made of the target's own tokens (else of words, lengths approximate).</summary>
    public bool PromptsFromServerTokenizer { get; init; }
    public ArrivalMode Arrival { get; init; }
    public double Burstiness { get; init; } = 1;
    public int? MaxConcurrency { get; init; }
    public int Seed { get; init; }
    public Slo Slo { get; init; } = Slo.None;
    public IReadOnlyList<double> Percentiles { get; init; } = [];
    public required IReadOnlyList<RunRecord> Runs { get; init; }
    public SearchResult? Search { get; init; }
    /// <summary>Requests sent and discarded before the first run.</summary>
    public int Warmups { get; init; }

    /// <summary>The result in <paramref name="path"/>; throws <see cref="JsonException"/> when it is not one.</summary>
    public static LoadTestResult Read(string path) => Parse(File.ReadAllText(path));

    /// <summary>The result in <paramref name="json"/>; throws <see cref="JsonException"/> when it is not one.</summary>
    public static LoadTestResult Parse(string json) =>
        JsonSerializer.Deserialize<LoadTestResult>(json, Json) is { Runs: not null } result
            ? result
            : throw new JsonException("The JSON holds no load-test result (no runs).");
}
