using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Serving.Contracts;
using Serving.Cluster.Planner;
using Serving.Planning.Control;
using Serving.Planning.Simulation;

namespace Serving.Cluster.Grains;

/// <summary>
/// The runtime planner. Gateways report finished requests; every interval a round replays the window on the current
/// setup to correct the profile, searches the alternatives in simulation (off the grain's scheduler) and, when one
/// beats the current setup by the hysteresis margin and the last change is old enough, applies it: the router stops
/// sending work to each worker that must switch, the worker finishes what it holds, then takes its new role and G.
/// Reentrant so observations keep arriving during a round; one round or change runs at a time.
/// </summary>
[Reentrant]
internal sealed partial class PlannerGrain(PlannerOptions options, TimeProvider time, ILogger<PlannerGrain> logger) : Grain, IPlannerGrain
{
    readonly LinkedList<(DateTime At, RequestObservation Request)> window = new();
    readonly SemaphoreSlim oneAtATime = new(1, 1);
    ControlDecision? last;
    // What the load wants (serving_planner_desired_workers), kept while the window refills after a change.
    ClusterConfig? desired;
    string lastReason = "no round has run yet.";
    DateTime lastChange = DateTime.MinValue;
    int rounds, changes, switches;

    IRouterGrain Router => GrainFactory.GetGrain<IRouterGrain>(0);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (options.CanPlan)
        {
            this.RegisterGrainTimer(_ => RoundAsync(), new GrainTimerCreationOptions(options.Interval, options.Interval) { Interleave = true, KeepAlive = true });
            Log.Planning(logger, options.ProfileSource ?? "(given)", options.Interval.TotalSeconds, options.Slo.TtftSeconds * 1000, options.Slo.TpotSeconds * 1000);
        }
        else
            lastReason = options.Profile is null
                ? "re-planning is off: no profile (write one with `serving profile`, then start with --profile)."
                : "re-planning is off (--planner off).";
        return Task.CompletedTask;
    }

    public Task Record(RequestObservation[] requests)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var r in requests)
            window.AddLast((now, r));
        Prune(now);
        return Task.CompletedTask;
    }

    public async Task<PlannerStatus> ReplanNow()
    {
        await RoundAsync();
        return await Status();
    }

    public async Task Apply(ClusterSetup setup)
    {
        await oneAtATime.WaitAsync();
        try
        {
            await ApplyAsync(setup);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    public async Task<PlannerStatus> Status()
    {
        Prune(time.GetUtcNow().UtcDateTime);
        var workers = await Router.Workers();
        var current = workers.Length == 0 ? null : SetupMapping.Current(workers, await Router.ShortPromptThreshold());
        var label = current is null ? "(no workers)" : SetupMapping.Label(current);
        // Observed and predicted figures come from the same round, so they compare; before any round, from the window.
        var observed = Observed();
        var (samples, rate, attainment) = last is { } d
            ? (d.Samples, d.ObservedRate, d.ObservedAttainment)
            : (observed.Count, Replanner.Rate(observed), observed.Count == 0 ? double.NaN : (double)observed.Count(o => o.Meets(options.Slo)) / observed.Count);
        return new PlannerStatus(
            options.CanPlan, current, label, samples, rate, attainment,
            last?.PredictedAttainment ?? double.NaN, last?.Current?.Goodput ?? double.NaN, last?.Best?.Goodput ?? double.NaN,
            last?.PrefillCorrection ?? 1, last?.DecodeCorrection ?? 1, rounds, changes, switches, lastReason,
            desired is { } wanted ? SetupMapping.FromConfig(wanted) : null);
    }

    async Task RoundAsync()
    {
        if (!options.CanPlan || !await oneAtATime.WaitAsync(0))
            return;
        try
        {
            var workers = await Router.Workers();
            if (workers.Length == 0)
            {
                lastReason = "no workers are up.";
                return;
            }
            var now = time.GetUtcNow().UtcDateTime;
            Prune(now);
            var current = SetupMapping.Current(workers, await Router.ShortPromptThreshold());
            var config = SetupMapping.ToConfig(current, workers, options);
            var observed = Observed();
            var mayChange = now - lastChange >= options.MinInterval;
            var profile = options.Profile!;
            var decision = await Task.Run(() => Replanner.Decide(observed, config, profile, options.Control, mayChange));
            rounds++;
            last = decision;
            // Too few requests to plan from right after a change (the window was cleared) is not a quiet cluster:
            // keep asking for what the last full window wanted until a whole window has passed.
            var planned = decision.Current is not null;
            if (planned || desired is null || now - lastChange >= options.Window)
                desired = decision.Desired;
            lastReason = decision.Reason;
            Log.Round(logger, decision.Reason, decision.Samples, decision.ObservedRate, decision.PrefixHitRate, decision.ObservedAttainment, decision.PredictedAttainment,
                decision.PrefillCorrection, decision.DecodeCorrection, workers.Sum(w => w.Load.Queued),
                workers.Average(w => w.Load.TotalBlocks == 0 ? 0 : 1 - (double)w.Load.FreeBlocks / w.Load.TotalBlocks),
                desired is { } wanted ? Replanner.Label(wanted) : "(no setup meets the SLO)");
            if (decision.Switch && decision.Best is { } best)
            {
                await ApplyAsync(SetupMapping.FromConfig(best.Config));
                lastChange = time.GetUtcNow().UtcDateTime;
                // What was observed ran on the old setup: the next round corrects against the new one only.
                window.Clear();
            }
        }
        catch (Exception e)
        {
            lastReason = $"the last round failed: {e.Message}";
            Log.RoundFailed(logger, e);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    async Task ApplyAsync(ClusterSetup setup)
    {
        var router = Router;
        var workers = await router.Workers();
        if (setup.Workers != workers.Length)
            throw new ArgumentException($"the setup places {setup.Workers} workers but {workers.Length} are up.");
        if (setup.DecodeWorkers + setup.MixedWorkers == 0)
            throw new ArgumentException("a setup needs at least one decode or mixed worker.");
        var roles = SetupMapping.AssignRoles(workers, setup);
        var from = SetupMapping.Current(workers, await router.ShortPromptThreshold());
        Log.Applying(logger, SetupMapping.Label(from), SetupMapping.Label(setup));
        await router.SetShortPromptThreshold(setup.PrefillWorkers > 0 ? setup.ShortPromptThreshold : 0);
        // One at a time, so some worker that can decode always takes new requests: first prefill workers (while one
        // drains, decode workers prefill locally), then workers that will decode (the others still decode meanwhile).
        var moves = workers.Where(w => roles[w.Worker.WorkerId] != w.Worker.Role)
            .OrderBy(w => w.Worker.Role == WorkerRole.Prefill ? 0 : 1)
            .ThenBy(w => roles[w.Worker.WorkerId] == WorkerRole.Prefill ? 1 : 0)
            .ThenBy(w => w.Worker.WorkerId, StringComparer.Ordinal);
        foreach (var w in moves)
        {
            var id = w.Worker.WorkerId;
            var to = roles[id];
            await router.Drain(id, to, options.DrainTimeout);
            bool drained;
            try
            {
                drained = await GrainFactory.GetGrain<IWorkerGrain>(id).Reconfigure(to, setup.LayerGroups, options.DrainTimeout);
            }
            catch (Exception e)
            {
                // The worker kept its role (a switch that fails restores its engine): route to it as before at once,
                // and stop here — the moves after this one assumed it.
                Log.SwitchFailed(logger, e, id, w.Worker.Role, to);
                await router.Drain(id, w.Worker.Role, TimeSpan.Zero);
                throw;
            }
            switches++;
            if (drained)
                Log.Switched(logger, id, w.Worker.Role, to);
            else
                Log.SwitchedUndrained(logger, id, w.Worker.Role, to, options.DrainTimeout.TotalSeconds);
            await WaitUntilReportedAsync(router, id, to);
        }
        // G alone changes between steps: no drain needed.
        foreach (var w in workers.Where(w => roles[w.Worker.WorkerId] == w.Worker.Role && w.Worker.Role != WorkerRole.Prefill && w.Worker.LayerGroups != setup.LayerGroups))
            await GrainFactory.GetGrain<IWorkerGrain>(w.Worker.WorkerId).Reconfigure(w.Worker.Role, setup.LayerGroups, TimeSpan.Zero);
        changes++;
    }

    /// <summary>Waits for the worker's heartbeat to carry its new role (the router routes to it again from then).</summary>
    static async Task WaitUntilReportedAsync(IRouterGrain router, string workerId, WorkerRole role)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if ((await router.Workers()).Any(w => w.Worker.WorkerId == workerId && w.Worker.Role == role))
                return;
            await Task.Delay(50);
        }
    }

    List<ObservedRequest> Observed() =>
        [.. window.Select(e => new ObservedRequest(e.Request.ArrivalUnixSeconds, e.Request.PromptTokens, e.Request.OutputTokens, e.Request.Ttft, e.Request.Tpot, e.Request.MaxItl, e.Request.Completed, e.Request.CachedTokens))];

    void Prune(DateTime now)
    {
        var cutoff = now - options.Window;
        while (window.First is { } first && (first.Value.At < cutoff || window.Count > options.MaxWindowRequests))
            window.RemoveFirst();
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Planner: re-planning every {Interval} s with profile {Profile}; SLO TTFT ≤ {Ttft} ms, TPOT ≤ {Tpot} ms.")]
        public static partial void Planning(ILogger logger, string profile, double interval, double ttft, double tpot);

        [LoggerMessage(Level = LogLevel.Information, Message = "Planner: {Reason} Window: {Samples} requests at {Rate:0.##} req/s, prefix hit rate {PrefixHitRate:P0}, attainment observed {Observed:P0} vs predicted {Predicted:P0}; corrections prefill ×{Prefill:0.##}, decode ×{Decode:0.##}; workers hold {Queued} requests, KV {KvUsage:P0} used; the load wants {Desired}.")]
        public static partial void Round(ILogger logger, string reason, int samples, double rate, double prefixHitRate, double observed, double predicted, double prefill, double decode, int queued, double kvUsage, string desired);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Planner: the re-planning round failed; the cluster keeps its setup.")]
        public static partial void RoundFailed(ILogger logger, Exception e);

        [LoggerMessage(Level = LogLevel.Information, Message = "Planner: applying {To} (was {From}).")]
        public static partial void Applying(ILogger logger, string from, string to);

        [LoggerMessage(Level = LogLevel.Information, Message = "Planner: worker {WorkerId} drained and switched {From} → {To}.")]
        public static partial void Switched(ILogger logger, string workerId, WorkerRole from, WorkerRole to);

        [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} could not switch from {From} to {To}; it stays {From} and back in routing, and the rest of this setup is not applied.")]
        public static partial void SwitchFailed(ILogger logger, Exception e, string workerId, WorkerRole from, WorkerRole to);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Planner: worker {WorkerId} still held requests after {Seconds} s; switched {From} → {To} anyway (its requests continue there).")]
        public static partial void SwitchedUndrained(ILogger logger, string workerId, WorkerRole from, WorkerRole to, double seconds);
    }
}
