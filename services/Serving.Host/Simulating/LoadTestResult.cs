using System.Text.Json;
using Serving.Planning.Simulation;

namespace Serving.Host.Simulating;

/// <summary>
/// What `serving simulate --from-result` takes from a load tester's result.json: every run's requests (arrival = when
/// it was sent, the lengths the server reported) with their measured outcomes, the SLO and the synthetic workload's shape.
/// </summary>
internal sealed record LoadTestResult(IReadOnlyList<RateRun> Runs, Slo? Slo, WorkloadSpec? Workload)
{
    public static LoadTestResult Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path} is not a load-test result (no \"runs\").");
        var workload = root.TryGetProperty("workload", out var w) ? ReadWorkload(w) : null;
        return new LoadTestResult(
            runs.EnumerateArray().Select(r => Run(r, workload)).ToArray(),
            root.TryGetProperty("slo", out var slo) ? ReadSlo(slo) : null,
            workload);
    }

    private static RateRun Run(JsonElement run, WorkloadSpec? workload)
    {
        var rows = run.GetProperty("requests").EnumerateArray().Select(r => new
        {
            // A request the run stopped before sending counts at its scheduled time (and as failed, as the load tester counts it).
            Arrival = Number(r, "sent_s") ?? Number(r, "scheduled_s") ?? 0,
            Success = r.TryGetProperty("success", out var s) && s.ValueKind == JsonValueKind.True,
            Ttft = (Number(r, "ttft_ms") ?? 0) / 1000,
            E2e = (Number(r, "e2el_ms") ?? 0) / 1000,
            MaxItl = r.TryGetProperty("itls_ms", out var itls) && itls.ValueKind == JsonValueKind.Array && itls.GetArrayLength() > 0
                ? itls.EnumerateArray().Max(i => i.GetDouble()) / 1000
                : 0,
            Prompt = (int)(Number(r, "prompt_tokens") ?? 1),
            Output = (int)(Number(r, "output_tokens") ?? 0),
        }).OrderBy(r => r.Arrival).ToList();

        // A failed request reports the tokens it got, not the ones it asked for: give it what the successful ones got.
        var outputs = rows.Where(r => r.Success && r.Output > 0).Select(r => (double)r.Output).ToList();
        var fallbackOutput = outputs.Count > 0
            ? (int)LatencySummary.Percentile(outputs, 50)
            : workload?.Output switch { FixedLength f => f.Tokens, _ => 1 };

        var requests = new List<SimRequest>(rows.Count);
        var measured = new List<RequestOutcome>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var output = r.Success && r.Output > 0 ? r.Output : fallbackOutput;
            var prompt = Math.Max(1, r.Prompt);
            requests.Add(new SimRequest(i, r.Arrival, prompt, Math.Max(1, output)));
            measured.Add(r.Success
                ? new RequestOutcome(i, prompt, output, r.Ttft, output > 1 ? (r.E2e - r.Ttft) / (output - 1) : 0, r.E2e, r.MaxItl, 0, true)
                : new RequestOutcome(i, prompt, output, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0, false));
        }
        return new RateRun(Number(run, "rate"), requests, measured);
    }

    private static Slo? ReadSlo(JsonElement slo) =>
        Number(slo, "ttft_ms") is { } ttft && Number(slo, "tpot_ms") is { } tpot ? new Slo(ttft / 1000, tpot / 1000) : null;

    private static WorkloadSpec? ReadWorkload(JsonElement workload)
    {
        if (!workload.TryGetProperty("kind", out var kind) || kind.GetString() != "synthetic")
            return null;
        return new WorkloadSpec(Lengths(workload.GetProperty("input")), Lengths(workload.GetProperty("output")));
    }

    private static LengthDistribution Lengths(JsonElement spec)
    {
        var kind = spec.GetProperty("distribution").GetString() switch
        {
            "log_normal" or "lognormal" => "lognormal",
            var other => other ?? "fixed",
        };
        return PlanningOptions.Lengths(
            kind, (int)Number(spec, "mean")!.Value, (int?)Number(spec, "min"), (int?)Number(spec, "max"), Number(spec, "sigma") ?? 0.5);
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
