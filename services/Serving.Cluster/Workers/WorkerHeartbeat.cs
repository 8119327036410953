using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Cluster.Abstractions;

namespace Serving.Cluster.Workers;

/// <summary>Reports every local worker and its load to the router, which is how workers join and stay in routing.</summary>
internal sealed partial class WorkerHeartbeat(LocalWorkers workers, ServingClusterOptions options, IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<WorkerHeartbeat> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStarted(stoppingToken);
        // Stop reporting as soon as shutdown begins, so no report re-registers a worker StopAsync takes out of routing.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        stoppingToken = stopping.Token;
        var router = grains.GetGrain<IRouterGrain>(0);
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        do
        {
            foreach (var worker in workers.All)
            {
                var load = worker.Loop.Load;
                try
                {
                    await router.Report(new WorkerInfo(worker.Key, worker.Role, options.KvAddress, worker.LayerGroups, worker.CanSwitchRole, worker.KvCapacityTokens),
                        new WorkerLoadReport(load.Waiting, load.Running, load.Importing, load.FreeBlocks, load.TotalBlocks));
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.ReportFailed(logger, e, worker.Key);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
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
        await base.StopAsync(cancellationToken);
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report worker {WorkerKey} to the router; retrying.")]
        public static partial void ReportFailed(ILogger logger, Exception e, string workerKey);
    }
}
