using Serving.Cluster.Workers;
using Serving.Gateway.Lifecycle;

namespace Serving.Host.Lifecycle;

/// <summary>
/// What a `serving` process does when it is stopped (SIGTERM from Kubernetes or docker, Ctrl+C): before any part of
/// it stops, its gateway turns not-ready and lets its streams finish, and its workers take no new work, let theirs
/// finish and hand the rest over — both within one drain timeout. Only then do Kestrel, the Orleans silo (which
/// leaves membership) and the engines stop.
/// </summary>
internal sealed partial class GracefulShutdown(HostSettings settings, IServiceProvider services, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    /// <summary>Past the drain: handing requests over, leaving routing and membership, stopping the engines.</summary>
    public static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(15);

    public static TimeSpan ShutdownTimeout(HostSettings settings) => TimeSpan.FromSeconds(settings.DrainTimeoutSeconds) + StopMargin;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(settings.DrainTimeoutSeconds);
        Log.Stopping(logger, timeout.TotalSeconds);
        var drains = new List<Task>();
        if (services.GetService<GatewayDrain>() is { } gateway)
            drains.Add(gateway.DrainAsync(timeout, cancellationToken));
        if (services.GetService<WorkerDrain>() is { } workers)
            drains.Add(workers.DrainAsync(timeout, cancellationToken));
        try
        {
            await Task.WhenAll(drains);
        }
        catch (Exception e)
        {
            // Stopping goes on regardless: a drain that fails only loses the chance to finish requests here.
            Log.DrainFailed(logger, e);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: draining for up to {Timeout} s (--drain-timeout-s).")]
        public static partial void Stopping(ILogger logger, double timeout);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The drain did not complete; stopping anyway.")]
        public static partial void DrainFailed(ILogger logger, Exception e);
    }
}
