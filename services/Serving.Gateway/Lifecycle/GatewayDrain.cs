using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Admission;

namespace Serving.Gateway.Lifecycle;

/// <summary>
/// How a gateway stops (SIGTERM): it turns not-ready at once (load balancers stop sending it requests; a request that
/// still arrives gets 503 with Retry-After and Connection: close, which OpenAI clients retry elsewhere), lets the
/// streams it holds finish up to the drain timeout, and cuts whatever is still open then.
/// </summary>
internal sealed partial class GatewayDrain(AdmissionControl admission, ILogger<GatewayDrain> logger)
{
    readonly CancellationTokenSource cut = new();
    volatile bool draining;

    public bool Draining => draining;

    /// <summary>Cancelled when the drain time is over: every request still open ends.</summary>
    public CancellationToken Cut => cut.Token;

    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        draining = true;
        var started = Stopwatch.GetTimestamp();
        Log.Draining(logger, admission.InFlight, timeout.TotalSeconds);
        while (admission.InFlight > 0 && Stopwatch.GetElapsedTime(started) < timeout)
            await Task.Delay(20, cancellationToken);
        if (admission.InFlight > 0)
        {
            Log.Cutting(logger, admission.InFlight, timeout.TotalSeconds);
            await cut.CancelAsync();
            var cutAt = Stopwatch.GetTimestamp();
            while (admission.InFlight > 0 && Stopwatch.GetElapsedTime(cutAt) < TimeSpan.FromSeconds(5))
                await Task.Delay(20, cancellationToken);
        }
        Log.Drained(logger, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: the gateway is not ready any more and refuses new requests (503); {Streams} open sequence(s) may finish within {Timeout} s.")]
        public static partial void Draining(ILogger logger, int streams, double timeout);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Drain timeout ({Timeout} s) reached with {Streams} sequence(s) still open: ending them.")]
        public static partial void Cutting(ILogger logger, int streams, double timeout);

        [LoggerMessage(Level = LogLevel.Information, Message = "Gateway drained after {Seconds:0.0} s.")]
        public static partial void Drained(ILogger logger, double seconds);
    }
}
