using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Contracts;

namespace Serving.Cluster.Workers;

/// <summary>
/// Reports every local worker and its load to the router, which is how workers join and stay in routing. It keeps
/// reporting through a drain (the router sees the workers as leaving) and stops when they leave the cluster.
/// </summary>
public sealed partial class WorkerHeartbeat(LocalWorkers workers, ServingClusterOptions options, IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<WorkerHeartbeat> logger)
    : BackgroundService
{
    readonly CancellationTokenSource leaving = new();
    // Workers whose prefix-cache index the router holds up to date: the others send a snapshot next.
    readonly HashSet<string> cacheInSync = [];
    // Released when a worker's requests end: the router learns the freed KV (and the blocks just cached) before the
    // next tick, which matters to a conversation whose next turn follows its answer at once.
    readonly SemaphoreSlim nudged = new(0, 1);
    int left;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStarted(stoppingToken);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leaving.Token);
        stoppingToken = stopping.Token;
        var router = grains.GetGrain<IRouterGrain>(0);
        foreach (var worker in workers.All)
            worker.Loop.RequestsEnded = Nudge;
        long reported;
        do
        {
            reported = Stopwatch.GetTimestamp();
            foreach (var worker in workers.All)
            {
                if (worker.CheckStall(options.StallTimeout))
                {
                    if (worker.Stalled)
                        Log.Stalled(logger, worker.Key, options.StallTimeout.TotalSeconds, worker.InFlight);
                    else
                        Log.Moving(logger, worker.Key);
                }
                var load = worker.Loop.Load;
                try
                {
                    await router.Report(new WorkerInfo(worker.Key, worker.Role, options.KvAddress, worker.LayerGroups, worker.KvCapacityTokens, worker.Leaving,
                            worker.Loop.Description.KvLayout.BlockSize),
                        new WorkerLoadReport(load.Waiting, load.Running, load.Importing, load.FreeBlocks, load.TotalBlocks,
                            worker.Loop.Iterations, worker.Loop.BusyFor.TotalSeconds, load.PrefillTokens));
                    worker.MarkRegistered();
                    await ReportCacheAsync(router, worker);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.ReportFailed(logger, e, worker.Key);
                }
            }
        }
        while (await NextBeatAsync(reported, stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Sends what the worker's prefix cache gained and lost since the last heartbeat, or all of it when the router's
    /// index may differ (first report, a failed report, a router that moved). Nothing when nothing changed.
    /// </summary>
    async Task ReportCacheAsync(IRouterGrain router, LocalWorker worker)
    {
        var inSync = cacheInSync.Remove(worker.Key);
        var changes = worker.Loop.Engine.PrefixCache.Take(snapshot: !inSync);
        if (!changes.Snapshot && changes.Added.Length == 0 && changes.Removed.Length == 0)
        {
            cacheInSync.Add(worker.Key);
            return;
        }
        // Until the router says it applied them, the worker counts as out of sync (a failure here sends a snapshot next).
        if (await router.ReportCache(worker.Key, new CachedBlocksUpdate(changes.Epoch, changes.Added, changes.Removed, changes.Snapshot)))
            cacheInSync.Add(worker.Key);
    }

    void Nudge()
    {
        if (nudged.CurrentCount > 0)
            return;
        try
        {
            nudged.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another loop nudged first.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// Waits for the next heartbeat: the interval after the last one began, or sooner when requests ended (but no
    /// sooner than <see cref="MinNudgedInterval"/> after it, so a busy worker does not report at every step). False
    /// once the workers leave (a stop is no failure of this service).
    /// </summary>
    async Task<bool> NextBeatAsync(long reported, CancellationToken stoppingToken)
    {
        try
        {
            var left = options.HeartbeatInterval - Stopwatch.GetElapsedTime(reported);
            if (left > TimeSpan.Zero && await nudged.WaitAsync(left, stoppingToken))
            {
                var soonest = MinNudgedInterval - Stopwatch.GetElapsedTime(reported);
                if (soonest > TimeSpan.Zero)
                    await Task.Delay(soonest, stoppingToken);
            }
            return !stoppingToken.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    static readonly TimeSpan MinNudgedInterval = TimeSpan.FromMilliseconds(25);

    Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    /// <summary>Stops reporting, then takes every local worker out of routing (once; best effort: the router also drops workers that stop reporting).</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref left, 1) == 1)
            return;
        // First silence the reports, so none re-registers a worker after it is removed.
        await leaving.CancelAsync();
        if (ExecuteTask is { } running)
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
        var router = grains.GetGrain<IRouterGrain>(0);
        foreach (var worker in workers.All)
        {
            try
            {
                await router.Remove(worker.Key).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Exception)
            {
                // Best effort: the router also drops workers that stop reporting.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await LeaveAsync(cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        leaving.Dispose();
        nudged.Dispose();
        base.Dispose();
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerKey}: the engine loop has had work but made no progress for over {Seconds:0} s; giving up its {Requests} request(s) (they resume on other workers) and taking no new work until it moves again.")]
        public static partial void Stalled(ILogger logger, string workerKey, double seconds, int requests);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerKey}: the engine loop is making progress again; it takes new work.")]
        public static partial void Moving(ILogger logger, string workerKey);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report worker {WorkerKey} to the router; retrying.")]
        public static partial void ReportFailed(ILogger logger, Exception e, string workerKey);
    }
}
