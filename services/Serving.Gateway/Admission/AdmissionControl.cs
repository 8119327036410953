using Serving.Gateway.Errors;

namespace Serving.Gateway.Admission;

/// <summary>
/// Bounds the generation requests this gateway holds at once. Past the bound a request is refused with 429 and
/// Retry-After rather than queued without end: the client backs off and latency for admitted requests holds.
/// </summary>
public sealed class AdmissionControl(int maxConcurrentRequests)
{
    int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Limit => maxConcurrentRequests;

    /// <summary>Admits a request (dispose the lease when it ends) or throws a 429 <see cref="ApiException"/>.</summary>
    public Lease Enter()
    {
        if (Interlocked.Increment(ref _inFlight) > maxConcurrentRequests)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new ApiException(429, $"The server is at its limit of {maxConcurrentRequests} concurrent requests; retry shortly.", "rate_limit_error", code: "queue_full")
            {
                RetryAfterSeconds = 1,
            };
        }
        return new Lease(this);
    }

    public readonly struct Lease(AdmissionControl owner) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner._inFlight);
    }
}
