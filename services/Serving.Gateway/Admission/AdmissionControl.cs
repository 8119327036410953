using Serving.Gateway.Errors;

namespace Serving.Gateway.Admission;

/// <summary>
/// Bounds the sequences (choices: prompts × n) this gateway has in the cluster at once. Past the bound a request is
/// refused with 429 and Retry-After rather than queued without end: the client backs off and latency for admitted
/// requests holds. One request can never hold more than the whole bound.
/// </summary>
internal sealed class AdmissionControl(int maxSequences)
{
    int inFlight;

    /// <summary>Sequences admitted and not yet finished.</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Admits a request of <paramref name="sequences"/> choices (dispose the lease when it ends), or refuses it.</summary>
    public AdmissionLease Enter(int sequences)
    {
        if (sequences > maxSequences)
            throw ApiException.BadRequest($"The request asks for {sequences} sequences (prompts × n); this server runs at most {maxSequences} at once.", "n");
        if (Interlocked.Add(ref inFlight, sequences) > maxSequences)
        {
            Interlocked.Add(ref inFlight, -sequences);
            throw Full();
        }
        return new AdmissionLease(this, sequences);
    }

    /// <summary>Refuses (429) while no sequence is free: checked before a request's body is read, rendered and tokenized.</summary>
    public void ThrowIfFull()
    {
        if (InFlight >= maxSequences)
            throw Full();
    }

    ApiException Full() => new(429, $"The server is at its limit of {maxSequences} concurrent sequences; retry shortly.", "rate_limit_error", code: "queue_full")
    {
        RetryAfterSeconds = 1,
    };

    internal void Leave(int sequences) => Interlocked.Add(ref inFlight, -sequences);
}
