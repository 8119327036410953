using Microsoft.AspNetCore.Http;
using Serving.Gateway.Errors;
using Serving.Gateway.Requests;

namespace Serving.Gateway.Admission;

/// <summary>
/// Bounds the work a request costs before it is admitted: reading its body, parsing it, rendering the chat template
/// and tokenizing. At most <c>concurrency + queue</c> requests hold a place at once (each holds at most one body);
/// of those, <c>concurrency</c> parse, render or tokenize at a time and the rest wait their turn in arrival order.
/// A request beyond every place gets 429 with Retry-After before a byte of its body is read.
/// </summary>
internal sealed class PreparationPool
{
    readonly SemaphoreSlim cpu;
    readonly int places;
    int held;

    public PreparationPool(int concurrency, int queue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queue);
        cpu = new SemaphoreSlim(concurrency, concurrency);
        places = concurrency + queue;
    }

    /// <summary>Requests holding a place: reading their body, waiting for a turn, or preparing.</summary>
    public int Held => Volatile.Read(ref held);

    /// <summary>Takes a place (dispose it once the request is answered), or refuses with 429: for a request whose answer is as large as its body (/tokenize).</summary>
    public PreparationPlace Enter()
    {
        if (Interlocked.Increment(ref held) > places)
        {
            Interlocked.Decrement(ref held);
            throw new ApiException(429, $"The server is preparing {places} requests already; retry shortly.", "rate_limit_error", code: "queue_full")
            {
                RetryAfterSeconds = 1,
            };
        }
        return new PreparationPlace(this);
    }

    /// <summary>Prepares a request in a place of its own, given back once <paramref name="prepare"/> has run (see <see cref="PreparationPlace.PrepareAsync"/>).</summary>
    public async Task<T> PrepareAsync<T>(HttpRequest request, long maxBodyBytes, Func<JsonBody, T> prepare, CancellationToken cancellationToken)
    {
        using var place = Enter();
        return await place.PrepareAsync(request, maxBodyBytes, prepare, cancellationToken);
    }

    internal Task TurnAsync(CancellationToken cancellationToken) => cpu.WaitAsync(cancellationToken);

    internal void EndTurn() => cpu.Release();

    internal void Leave() => Interlocked.Decrement(ref held);
}
