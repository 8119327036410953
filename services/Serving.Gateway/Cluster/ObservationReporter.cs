using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Contracts;

namespace Serving.Gateway.Cluster;

/// <summary>Sends this gateway's finished requests to the planner every second.</summary>
internal sealed partial class ObservationReporter(RequestObservations observations, IGrainFactory grains, ILogger<ObservationReporter> logger) : BackgroundService
{
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var batch = observations.Drain();
            if (batch.Length == 0)
                continue;
            try
            {
                await grains.GetGrain<IPlannerGrain>(0).Record(batch);
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The planner decides from a window of minutes: a lost second of observations only thins it.
                if (!failing)
                    Log.ReportFailed(logger, e, batch.Length);
                failing = true;
            }
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report {Count} finished requests to the planner; they are dropped (it re-plans from the rest).")]
        public static partial void ReportFailed(ILogger logger, Exception e, int count);
    }
}
