using System.Collections.Concurrent;
using System.Diagnostics;
using Serving.Contracts;

namespace Serving.Gateway.Cluster;

/// <summary>Finished requests this gateway measured, waiting to be reported to the planner.</summary>
public sealed class RequestObservations
{
    // A planner that cannot be reached must not make the gateway hoard: past this, the oldest are dropped.
    const int Capacity = 10_000;
    readonly ConcurrentQueue<RequestObservation> pending = new();

    /// <summary>Starts measuring a request that arrives now.</summary>
    public RequestTimer Start(int promptTokens) => new(this, promptTokens);

    internal void Add(RequestObservation observation)
    {
        pending.Enqueue(observation);
        while (pending.Count > Capacity && pending.TryDequeue(out _)) { }
    }

    /// <summary>Takes everything recorded so far.</summary>
    public RequestObservation[] Drain()
    {
        var taken = new List<RequestObservation>();
        while (pending.TryDequeue(out var o))
            taken.Add(o);
        return [.. taken];
    }
}

/// <summary>One request's clock: arrival, first token, gaps between tokens, end; and the prompt tokens a prefix cache served.</summary>
public sealed class RequestTimer(RequestObservations sink, int promptTokens)
{
    readonly double arrival = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    readonly long started = Stopwatch.GetTimestamp();
    long firstToken, lastToken;
    int tokens, cached;
    double maxItl;
    bool finished;

    /// <summary>
    /// Records <paramref name="count"/> tokens arriving now, on a chunk that reports <paramref name="cachedPromptTokens"/>
    /// prompt tokens found in a prefix cache (the most any chunk reports counts: a resumed request's later worker may report fewer).
    /// </summary>
    public void Tokens(int count, int cachedPromptTokens = 0)
    {
        cached = Math.Max(cached, cachedPromptTokens);
        if (count == 0)
            return;
        var now = Stopwatch.GetTimestamp();
        if (tokens == 0)
            firstToken = now;
        else
            maxItl = Math.Max(maxItl, Stopwatch.GetElapsedTime(lastToken, now).TotalSeconds);
        lastToken = now;
        tokens += count;
    }

    /// <summary>Records how it ended (once): completed, or failed (a miss for the SLO).</summary>
    public void Finish(bool completed)
    {
        if (finished)
            return;
        finished = true;
        var ttft = tokens == 0 ? Stopwatch.GetElapsedTime(started).TotalSeconds : Stopwatch.GetElapsedTime(started, firstToken).TotalSeconds;
        var tpot = tokens > 1 ? Stopwatch.GetElapsedTime(firstToken, lastToken).TotalSeconds / (tokens - 1) : 0;
        sink.Add(new RequestObservation(arrival, promptTokens, tokens, ttft, tpot, maxItl, completed && tokens > 0, Math.Min(cached, promptTokens)));
    }
}
