using System.Diagnostics;
using Serving.LoadTest.Client;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>
/// Runs conversations closed-loop, side by side: each starts when due and sends turn k + 1 only once turn k's answer
/// has fully arrived and the think time has passed, with that answer in its history. Under a concurrency cap each
/// turn also waits for a free slot. A failed turn ends its conversation; its later turns are recorded as not sent.
/// Results are in conversation order, then turn order; the duration runs from the start to the last answer.
/// </summary>
internal sealed class ConversationRunner(StreamingClient client)
{
    public async Task<RunOutcome> RunAsync(ConversationPlan plan, IRunObserver? observer, CancellationToken cancellationToken)
    {
        var firsts = new int[plan.Conversations.Count];
        for (var c = 1; c < firsts.Length; c++)
            firsts[c] = firsts[c - 1] + plan.Conversations[c - 1].Turns;
        var n = plan.Requests;
        var results = new RequestResult?[n];
        var tags = new RequestTag[n];
        foreach (var (c, script) in plan.Conversations.Index())
            for (var t = 0; t < script.Turns; t++)
                tags[firsts[c] + t] = new RequestTag(Conversation: script.Index, Turn: t + 1);
        var think = (long)(plan.ThinkTimeS * Stopwatch.Frequency);
        using var slots = plan.MaxConcurrency is { } cap ? new SemaphoreSlim(cap) : null;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(plan.Conversations.Select((script, c) =>
            ConverseAsync(script, firsts[c], start + (long)(plan.StartsS[c] * Stopwatch.Frequency))));
        var end = Stopwatch.GetTimestamp();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var duration = LoadRunner.Seconds(start, end);
        var all = results.Select(r => r!).ToArray();
        return new RunOutcome(all, duration, LoadRunner.Overhead(all, cpu, duration), tags);

        async Task ConverseAsync(ConversationScript script, int first, long due)
        {
            // Yield first: every conversation starts on its own, none waits for another's first send.
            await Task.Yield();
            var state = new ConversationState(script.Index);
            for (var t = 0; t < script.Turns; t++)
            {
                try
                {
                    await LoadRunner.WaitUntilAsync(due, cancellationToken);
                    if (slots is not null)
                        await slots.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Skip(script, first, t, due, "the run was stopped before it was sent");
                    return;
                }
                var eligible = Math.Max(due, Stopwatch.GetTimestamp());
                var request = state.Ask(first + t, script.UserTurns[t], script.OutputTokens[t]);
                ClientResponse response;
                try
                {
                    var send = client.SendAsync(request, cancellationToken, keepAnswer: true);
                    observer?.OnSent(request.Index);
                    response = await send;
                }
                finally
                {
                    slots?.Release();
                }
                var result = LoadRunner.Timed(response, LoadRunner.Seconds(start, due), start, eligible);
                tags[request.Index] = request.Tag with { CachedTokens = response.CachedTokens };
                results[request.Index] = result;
                observer?.OnCompleted(result);
                if (!result.Success)
                {
                    Skip(script, first, t + 1, Stopwatch.GetTimestamp(), $"turn {t + 1} of its conversation failed");
                    return;
                }
                state.Answered(response.Answer ?? "");
                due = Stopwatch.GetTimestamp() + think;
            }
        }

        void Skip(ConversationScript script, int first, int fromTurn, long at, string why)
        {
            for (var t = fromTurn; t < script.Turns; t++)
                results[first + t] = LoadRunner.NotSent(first + t, LoadRunner.Seconds(start, at), 0, why);
        }
    }
}
