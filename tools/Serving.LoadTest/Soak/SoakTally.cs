using System.Collections.Concurrent;
using Serving.LoadTest.Soak.Client;
using Serving.LoadTest.Soak.Requests;

namespace Serving.LoadTest.Soak;

/// <summary>What the load has done so far: requests by kind and by outcome, every outcome kept (thread-safe; the clients report from many tasks).</summary>
internal sealed class SoakTally(SoakMix mix)
{
    readonly ConcurrentQueue<SoakOutcome> outcomes = new();
    readonly int[] byKind = new int[Enum.GetValues<OutcomeKind>().Length];
    int sent;
    int streamed;
    int multiChoice;
    int longPrompts;
    int chat;
    int invalid;
    int plannedDisconnects;

    public int Sent => Volatile.Read(ref sent);
    public int Finished => outcomes.Count;
    public int InFlight => Sent - Finished;

    public int Count(OutcomeKind kind) => Volatile.Read(ref byKind[(int)kind]);

    public IReadOnlyList<SoakOutcome> Outcomes => [.. outcomes.OrderBy(o => o.Index)];

    public void OnSent(SoakRequest request)
    {
        Interlocked.Increment(ref sent);
        if (request.Stream)
            Interlocked.Increment(ref streamed);
        if (request.N > 1)
            Interlocked.Increment(ref multiChoice);
        if (request.IsLong(mix))
            Interlocked.Increment(ref longPrompts);
        if (request.Api == Planning.LoadTests.ApiKind.Chat)
            Interlocked.Increment(ref chat);
        if (request.Invalid is not null)
            Interlocked.Increment(ref invalid);
        if (request.Disconnect is not null)
            Interlocked.Increment(ref plannedDisconnects);
    }

    public void OnDone(SoakOutcome outcome)
    {
        Interlocked.Increment(ref byKind[(int)outcome.Kind]);
        outcomes.Enqueue(outcome);
    }

    public SoakRequestCounts Counts(double loadSeconds) => new(
        Sent, Count(OutcomeKind.Completed), Count(OutcomeKind.Rejected), Count(OutcomeKind.CleanError), Count(OutcomeKind.Disconnected),
        Count(OutcomeKind.Violation), Count(OutcomeKind.Aborted), Volatile.Read(ref streamed), Volatile.Read(ref multiChoice),
        Volatile.Read(ref longPrompts), Volatile.Read(ref chat), Volatile.Read(ref invalid), Volatile.Read(ref plannedDisconnects),
        loadSeconds > 0 ? Math.Round(Finished / loadSeconds, 2) : 0);
}
