using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serving.Contracts;

namespace Serving.Cluster.Workers;

/// <summary>
/// How this process's workers leave the cluster when it is stopped (SIGTERM): the router sends them nothing new at
/// once, their running requests finish up to the drain timeout, whatever still runs then is handed back to the
/// gateways (which resume it on other workers from the tokens already delivered), and they leave routing.
/// </summary>
public sealed partial class WorkerDrain(LocalWorkers workers, WorkerHeartbeat heartbeat, IGrainFactory grains, ILogger<WorkerDrain> logger)
{
    // Once handed over, a request's grain call ends at once; this only bounds a call stuck elsewhere.
    static readonly TimeSpan HandoverWait = TimeSpan.FromSeconds(5);
    // A request the router assigned just before it heard of the leaving reaches the worker moments later.
    static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var all = workers.All.ToArray();
        if (all.Length == 0)
            return;
        var started = Stopwatch.GetTimestamp();
        foreach (var worker in all)
            worker.BeginLeaving();
        try
        {
            var router = grains.GetGrain<IRouterGrain>(0);
            foreach (var worker in all)
            {
                try
                {
                    await router.Leave(worker.Key).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next heartbeat carries the same news.
                    Log.LeaveFailed(logger, e, worker.Key);
                }
            }
            Log.Draining(logger, all.Length, Held(all), timeout.TotalSeconds);
            await Task.Delay(Settle < timeout ? Settle : timeout, cancellationToken);

            var lastProgress = started;
            while (!all.All(w => w.Idle) && Stopwatch.GetElapsedTime(started) < timeout)
            {
                await Task.Delay(20, cancellationToken);
                if (Stopwatch.GetElapsedTime(lastProgress) >= ProgressEvery)
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    Log.StillDraining(logger, Held(all), (timeout - Stopwatch.GetElapsedTime(started)).TotalSeconds);
                }
            }
            if (!all.All(w => w.Idle))
                Log.HandingOver(logger, Held(all), timeout.TotalSeconds);
        }
        finally
        {
            // Always, even idle: a request that still arrives is handed back at once rather than started here and
            // cut by the stop; and if the host's own deadline cancelled the drain, what runs still goes elsewhere.
            foreach (var worker in all)
                worker.HandOver();
        }
        var handover = Stopwatch.GetTimestamp();
        while (!all.All(w => w.Idle) && Stopwatch.GetElapsedTime(handover) < HandoverWait)
            await Task.Delay(20, cancellationToken);
        if (!all.All(w => w.Idle))
            Log.NotIdle(logger, Held(all));
        await heartbeat.LeaveAsync(cancellationToken);
        Log.Drained(logger, all.Length, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    // Grain calls in flight, or sequences in the loops (whichever is larger: one call may be several sequences, and queued work may have no call yet).
    static int Held(LocalWorker[] all) => all.Sum(w => Math.Max(w.InFlight, w.Loop.Load.Waiting + w.Loop.Load.Running + w.Loop.Load.Importing));

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: {Workers} worker(s) take no new work; {Held} request(s) may finish within {Timeout} s.")]
        public static partial void Draining(ILogger logger, int workers, int held, double timeout);

        [LoggerMessage(Level = LogLevel.Information, Message = "Draining: {Held} request(s) still running, {Left:0} s left.")]
        public static partial void StillDraining(ILogger logger, int held, double left);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Drain timeout ({Timeout} s) reached with {Held} request(s) running: handing them over to other workers (their clients' streams continue there).")]
        public static partial void HandingOver(ILogger logger, int held, double timeout);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Held} request(s) still held after the handover; stopping anyway.")]
        public static partial void NotIdle(ILogger logger, int held);

        [LoggerMessage(Level = LogLevel.Information, Message = "Drained: {Workers} worker(s) left the cluster after {Seconds:0.0} s.")]
        public static partial void Drained(ILogger logger, int workers, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the router that worker {WorkerKey} is leaving; its next heartbeat will.")]
        public static partial void LeaveFailed(ILogger logger, Exception e, string workerKey);
    }
}
