using System.Globalization;
using System.Text.Json;
using Serving.LoadTest.ServerMetrics;

namespace Serving.LoadTest.Soak.Checks;

/// <summary>
/// After the load: polls the gateway until every worker's KV blocks are free again, or the settle time is up. Free
/// blocks and usage come from /metrics (serving_worker_kv_blocks_free, serving_worker_kv_usage, one series per
/// worker), the pool sizes from /health (total_kv_blocks); a worker is free when both say so. The gateway refreshes
/// its picture of the workers about once a second, so a leak has to outlast several refreshes to count.
/// </summary>
internal static class KvCheck
{
    public const string FreeMetric = "serving_worker_kv_blocks_free";
    public const string UsageMetric = "serving_worker_kv_usage";

    public static async Task<KvReport> WaitAllFreeAsync(HttpClient http, Uri baseUrl, TimeSpan settle, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        KvReport last = new(false, [], null, "no scrape yet");
        while (true)
        {
            try
            {
                last = await ReadAsync(http, baseUrl, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = last with { Note = $"scrape failed: {e.Message}" };
            }
            var elapsed = (DateTime.UtcNow - started).TotalSeconds;
            if (last.Exported && last.Workers.Count > 0 && last.Workers.All(w => w.AllFree))
                return last with { FreeAfterS = Math.Round(elapsed, 1) };
            if (elapsed > settle.TotalSeconds)
                return last;
            await Task.Delay(500, cancellationToken);
        }
    }

    public static async Task<KvReport> ReadAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri(baseUrl, "metrics"), cancellationToken));
        var free = samples.Where(s => s.Name == FreeMetric).ToDictionary(s => s.Label("worker"));
        var usage = samples.Where(s => s.Name == UsageMetric).ToDictionary(s => s.Label("worker"), s => s.Value);
        if (free.Count == 0)
            return new KvReport(false, [], null, $"/metrics has no {FreeMetric} series (not a Serving gateway, or no workers)");
        var totals = await TotalsAsync(http, baseUrl, cancellationToken);
        var workers = free.Values.Select(s =>
        {
            var used = usage.GetValueOrDefault(s.Label("worker"), double.NaN);
            var freeBlocks = (int)s.Value;
            // Without /health's size, the usage gauge gives it: used = 1 - free / total.
            var total = totals.TryGetValue(s.Label("worker"), out var t) ? t
                : used is >= 0 and < 1 ? (int)Math.Round(freeBlocks / (1 - used)) : freeBlocks;
            return new KvWorker(s.Label("worker"), s.Label("role"), freeBlocks, total, used);
        }).OrderBy(w => w.Worker, StringComparer.Ordinal).ToList();
        return new KvReport(true, workers, null, null);
    }

    static async Task<Dictionary<string, int>> TotalsAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(baseUrl, "health"), cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var totals = new Dictionary<string, int>();
        if (json.RootElement.TryGetProperty("workers", out var workers) && workers.ValueKind == JsonValueKind.Array)
            foreach (var w in workers.EnumerateArray())
                if (w.TryGetProperty("id", out var id) && w.TryGetProperty("total_kv_blocks", out var total) && total.ValueKind == JsonValueKind.Number)
                    totals[id.GetString() ?? ""] = total.GetInt32();
        return totals;
    }

    public static SoakCheck Verdict(KvReport report)
    {
        if (!report.Exported)
            return new SoakCheck("kv blocks free", CheckStatus.Skipped, report.Note ?? "no KV gauges");
        var pools = string.Join("; ", report.Workers.Select(w => $"{w.Worker} ({w.Role}) {w.FreeBlocks}/{w.TotalBlocks} free, usage {w.Usage.ToString("0.####", CultureInfo.InvariantCulture)}"));
        return report.FreeAfterS is { } after
            ? new SoakCheck("kv blocks free", CheckStatus.Pass, $"all {report.Workers.Count} workers' blocks free {after:0.0} s after the load: {pools}")
            : new SoakCheck("kv blocks free", CheckStatus.Fail, $"{report.LeakedBlocks} block(s) still in use after the settle time: {pools}");
    }
}
