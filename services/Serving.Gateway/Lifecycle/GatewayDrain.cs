using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Serving.Gateway.Lifecycle;

/// <summary>
/// How a gateway stops (SIGTERM): it turns not-ready at once (load balancers stop sending it requests; a request that
/// still arrives gets 503 with Retry-After and Connection: close, which OpenAI clients retry elsewhere), lets the
/// streams it holds finish up to the drain timeout, and cuts whatever is still open then.
/// </summary>
internal sealed partial class GatewayDrain(ILogger<GatewayDrain> logger)
{
    readonly CancellationTokenSource cut = new();
    volatile bool draining;
    int inFlight;

    public bool Draining => draining;

    /// <summary>API requests past the drain gate and not yet answered (admitted or still being read).</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Counts an API request until the returned scope is disposed.</summary>
    public Held Enter()
    {
        Interlocked.Increment(ref inFlight);
        return new Held(this);
    }

    public readonly struct Held(GatewayDrain drain) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref drain.inFlight);
    }

    /// <summary>Cancelled when the drain time is over: every request still open ends.</summary>
    public CancellationToken Cut => cut.Token;

    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        draining = true;
        var started = Stopwatch.GetTimestamp();
        Log.Draining(logger, InFlight, timeout.TotalSeconds);
        while (InFlight > 0 && Stopwatch.GetElapsedTime(started) < timeout)
            await Task.Delay(20, cancellationToken);
        if (InFlight > 0)
        {
            Log.Cutting(logger, InFlight, timeout.TotalSeconds);
            await cut.CancelAsync();
            var cutAt = Stopwatch.GetTimestamp();
            while (InFlight > 0 && Stopwatch.GetElapsedTime(cutAt) < TimeSpan.FromSeconds(5))
                await Task.Delay(20, cancellationToken);
        }
        Log.Drained(logger, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: the gateway is not ready any more and refuses new requests (503); {Requests} open request(s) may finish within {Timeout} s.")]
        public static partial void Draining(ILogger logger, int requests, double timeout);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Drain timeout ({Timeout} s) reached with {Requests} request(s) still open: ending them with 503 shutting_down (an error event on a stream).")]
        public static partial void Cutting(ILogger logger, int requests, double timeout);

        [LoggerMessage(Level = LogLevel.Information, Message = "Gateway drained after {Seconds:0.0} s.")]
        public static partial void Drained(ILogger logger, double seconds);
    }
}
