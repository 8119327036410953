using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Serving.Cluster.Abstractions;
using Serving.Cluster.Client;
using Serving.Gateway.Admission;

namespace Serving.Gateway.Telemetry;

/// <summary>
/// Gauges of the whole cluster as the router sees it — workers per role, and each worker's queue, batch and KV
/// usage — so one scrape of any gateway shows every worker in every process. A collection reads the last snapshot
/// and, when it is older than a second, asks the router for a new one in the background: nothing is polled while
/// nobody scrapes, and a scrape never waits on the cluster.
/// </summary>
internal sealed partial class ClusterLoadMetrics
{
    static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    // Past this without a fresh answer from the router, report no workers rather than a stale picture.
    static readonly TimeSpan Stale = TimeSpan.FromSeconds(10);
    static readonly WorkerRole[] Roles = Enum.GetValues<WorkerRole>();

    readonly ServingClient _cluster;
    readonly ILogger<ClusterLoadMetrics> _logger;
    WorkerStatus[] _workers = [];
    long _refreshedAt;
    int _refreshing;

    public ClusterLoadMetrics(ServingClient cluster, GatewayMetrics metrics, AdmissionControl admission, ILogger<ClusterLoadMetrics> logger)
    {
        _cluster = cluster;
        _logger = logger;
        metrics.Gauge<int>("serving.requests.in_flight", "{request}", "Generation requests this gateway holds now.", () => [new Measurement<int>(admission.InFlight)]);
        metrics.Gauge("serving.workers", "{worker}", "Live workers by role.", () => Roles.Select(r => new Measurement<int>(Workers().Count(w => w.Worker.Role == r), Tag("role", r))));
        metrics.Gauge("serving.worker.waiting", "{sequence}", "Sequences queued on a worker.", () => PerWorker(l => l.Waiting));
        metrics.Gauge("serving.worker.running", "{sequence}", "Sequences in a worker's running batch.", () => PerWorker(l => l.Running));
        metrics.Gauge("serving.worker.importing", "{sequence}", "Sequences whose KV a decode worker is receiving.", () => PerWorker(l => l.Importing));
        metrics.Gauge("serving.worker.kv_blocks_free", "{block}", "Free KV blocks of a worker.", () => PerWorker(l => l.FreeBlocks));
        metrics.Gauge("serving.worker.kv_usage", "1", "Fraction of a worker's KV blocks in use.", () => Workers().Select(w =>
            new Measurement<double>(w.Load.TotalBlocks == 0 ? 0 : 1.0 - (double)w.Load.FreeBlocks / w.Load.TotalBlocks, WorkerTags(w))));
    }

    WorkerStatus[] Workers()
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _refreshedAt)) > MaxAge && Interlocked.Exchange(ref _refreshing, 1) == 0)
            _ = RefreshAsync();
        return Volatile.Read(ref _workers);
    }

    async Task RefreshAsync()
    {
        try
        {
            Volatile.Write(ref _workers, await _cluster.WorkersAsync());
            Volatile.Write(ref _refreshedAt, Stopwatch.GetTimestamp());
        }
        catch (Exception e)
        {
            Log.RefreshFailed(_logger, e);
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref _refreshedAt)) > Stale)
                Volatile.Write(ref _workers, []);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    IEnumerable<Measurement<int>> PerWorker(Func<WorkerLoadReport, int> value) =>
        Workers().Select(w => new Measurement<int>(value(w.Load), WorkerTags(w)));

    static KeyValuePair<string, object?>[] WorkerTags(WorkerStatus w) => [new("worker", w.Worker.WorkerId), Tag("role", w.Worker.Role)];

    static KeyValuePair<string, object?> Tag(string key, WorkerRole role) => new(key, role.ToString().ToLowerInvariant());

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the workers' load from the router; the gauges keep the last values for 10 s, then report no workers.")]
        public static partial void RefreshFailed(ILogger logger, Exception e);
    }
}
