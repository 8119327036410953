using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Serving.Contracts;
using Serving.Gateway.Cluster;
using Serving.Gateway.Admission;

namespace Serving.Gateway.Telemetry;

/// <summary>
/// Gauges of the whole cluster as the router sees it — workers per role, and each worker's queue, batch, KV usage and
/// G — and as the planner sees it (setup, observed vs predicted attainment, goodput, corrections, decisions), so one
/// scrape of any gateway shows every worker in every process. A collection reads the last snapshot
/// and, when it is older than a second, asks the router for a new one in the background: nothing is polled while
/// nobody scrapes, and a scrape never waits on the cluster.
/// </summary>
internal sealed partial class ClusterLoadMetrics
{
    static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    // Past this without a fresh answer, report no workers (and no planner) rather than a stale picture.
    static readonly TimeSpan Stale = TimeSpan.FromSeconds(10);
    static readonly WorkerRole[] Roles = Enum.GetValues<WorkerRole>();

    readonly RefreshingSnapshot<WorkerStatus[]> workers;
    readonly RefreshingSnapshot<PlannerStatus[]> planner;

    public ClusterLoadMetrics(ServingClient cluster, GatewayMetrics metrics, AdmissionControl admission, ILogger<ClusterLoadMetrics> logger)
    {
        workers = new(cluster.WorkersAsync, [], MaxAge, Stale, e => Log.RefreshFailed(logger, e));
        planner = new(async () => [await cluster.PlannerStatusAsync()], [], MaxAge, Stale, e => Log.PlannerFailed(logger, e));
        metrics.Gauge<int>("serving.requests.in_flight", "{request}", "Generation requests this gateway holds now.", () => [new Measurement<int>(admission.InFlight)]);
        metrics.Gauge("serving.workers", "{worker}", "Live workers by role.", () => Roles.Select(r => new Measurement<int>(Workers().Count(w => w.Worker.Role == r), Tag("role", r))));
        metrics.Gauge("serving.worker.waiting", "{sequence}", "Sequences queued on a worker.", () => PerWorker(l => l.Waiting));
        metrics.Gauge("serving.worker.running", "{sequence}", "Sequences in a worker's running batch.", () => PerWorker(l => l.Running));
        metrics.Gauge("serving.worker.importing", "{sequence}", "Sequences whose KV a decode worker is receiving.", () => PerWorker(l => l.Importing));
        metrics.Gauge("serving.worker.kv_blocks_free", "{block}", "Free KV blocks of a worker.", () => PerWorker(l => l.FreeBlocks));
        metrics.Gauge("serving.worker.kv_usage", "1", "Fraction of a worker's KV blocks in use.", () => Workers().Select(w =>
            new Measurement<double>(w.Load.TotalBlocks == 0 ? 0 : 1.0 - (double)w.Load.FreeBlocks / w.Load.TotalBlocks, WorkerTags(w))));
        metrics.Gauge("serving.worker.layer_groups", "{group}", "G: layer groups a worker prefills a local prompt in.", () => PerWorker(w => w.Worker.LayerGroups));

        metrics.Gauge("serving.planner.workers", "{worker}", "Workers per role in the setup the planner sees (the P/D ratio).", () => Planner(p => p.Current is { } c
            ? Roles.Select(r => new Measurement<double>(c.Count(r), Tag("role", r)))
            : []));
        metrics.Gauge("serving.planner.desired_workers", "{worker}", "Workers per role the best setup needs for the observed load (with headroom): what a HorizontalPodAutoscaler sizes each pool by.", () => Planner(p => p.Desired is { } d
            ? Roles.Select(r => new Measurement<double>(d.Count(r), Tag("role", r)))
            : []));
        metrics.Gauge("serving.planner.layer_groups", "{group}", "G of the workers that prefill locally.", () => Planner(p => p.Current is { } c ? [new Measurement<double>(c.LayerGroups)] : []));
        metrics.Gauge("serving.planner.short_prompt_threshold", "{token}", "Prompts up to this length prefill on their decode worker.", () => Planner(p => p.Current is { } c ? [new Measurement<double>(c.ShortPromptThreshold)] : []));
        metrics.Gauge("serving.planner.attainment", "1", "Share of the window's requests meeting the SLO: observed, and predicted by the corrected simulator.", () => Planner(p =>
            [new Measurement<double>(p.ObservedAttainment, new KeyValuePair<string, object?>("kind", "observed")), new Measurement<double>(p.PredictedAttainment, new KeyValuePair<string, object?>("kind", "predicted"))]));
        metrics.Gauge("serving.planner.goodput", "{request}/s", "Predicted goodput on the window's workload: of the current setup, and of the best found.", () => Planner(p =>
            [new Measurement<double>(p.PredictedGoodput, new KeyValuePair<string, object?>("setup", "current")), new Measurement<double>(p.BestGoodput, new KeyValuePair<string, object?>("setup", "best"))]));
        metrics.Gauge("serving.planner.arrival_rate", "{request}/s", "Arrival rate of the window's requests.", () => Planner(p => [new Measurement<double>(p.ObservedRate)]));
        metrics.Gauge("serving.planner.correction", "1", "Observed ÷ predicted latency: TTFT (prefill) and TPOT (decode).", () => Planner(p =>
            [new Measurement<double>(p.PrefillCorrection, new KeyValuePair<string, object?>("phase", "prefill")), new Measurement<double>(p.DecodeCorrection, new KeyValuePair<string, object?>("phase", "decode"))]));
        metrics.Gauge("serving.planner.rounds", "{round}", "Re-planning rounds run.", () => Planner(p => [new Measurement<double>(p.Rounds)]));
        metrics.Gauge("serving.planner.changes", "{change}", "Setups the planner applied.", () => Planner(p => [new Measurement<double>(p.Changes)]));
        metrics.Gauge("serving.planner.role_switches", "{switch}", "Workers moved from one role to another.", () => Planner(p => [new Measurement<double>(p.RoleSwitches)]));
    }

    WorkerStatus[] Workers() => workers.Read();

    /// <summary>
    /// Tokens the smallest KV pool among the workers that hold whole requests (decode and mixed) can keep: the most a
    /// request may need. Null while the gateway knows no such worker.
    /// </summary>
    public long? KvCapacityTokens() =>
        Workers().Where(w => w.Worker.Role != WorkerRole.Prefill && w.Worker.KvCapacityTokens > 0).Select(w => (long?)w.Worker.KvCapacityTokens).Min();

    IEnumerable<Measurement<double>> Planner(Func<PlannerStatus, IEnumerable<Measurement<double>>> measure) =>
        planner.Read().SelectMany(p => measure(p).Where(m => double.IsFinite(m.Value)));

    IEnumerable<Measurement<int>> PerWorker(Func<WorkerStatus, int> value) =>
        Workers().Select(w => new Measurement<int>(value(w), WorkerTags(w)));

    IEnumerable<Measurement<int>> PerWorker(Func<WorkerLoadReport, int> value) => PerWorker(w => value(w.Load));

    static KeyValuePair<string, object?>[] WorkerTags(WorkerStatus w) => [new("worker", w.Worker.WorkerId), Tag("role", w.Worker.Role)];

    static KeyValuePair<string, object?> Tag(string key, WorkerRole role) => new(key, role.ToString().ToLowerInvariant());

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the workers' load from the router; the gauges keep the last values for 10 s, then report no workers.")]
        public static partial void RefreshFailed(ILogger logger, Exception e);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the planner's status; its gauges keep the last values for 10 s, then disappear.")]
        public static partial void PlannerFailed(ILogger logger, Exception e);
    }
}
