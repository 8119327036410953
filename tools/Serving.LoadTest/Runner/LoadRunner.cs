using System.Diagnostics;
using Serving.LoadTest.Client;
using Serving.LoadTest.Metrics;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>
/// Sends a plan's requests on its schedule, each as soon as it is due (and, under a concurrency cap, a slot is
/// free), without waiting for earlier ones. Times come from the monotonic clock; the duration runs from the start
/// to the last completion, as <c>vllm bench serve</c> counts it.
/// </summary>
internal sealed class LoadRunner(StreamingClient client)
{
    public async Task<RunOutcome> RunAsync(RunPlan plan, IRunObserver? observer, CancellationToken cancellationToken)
    {
        var n = plan.Requests.Count;
        var results = new RequestResult?[n];
        var tags = plan.Requests.Select(r => r.Tag).ToArray();
        var inFlight = new List<Task>(n);
        using var slots = plan.MaxConcurrency is { } cap ? new SemaphoreSlim(cap) : null;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var due = start + (long)(plan.ArrivalsS[i] * Stopwatch.Frequency);
            try
            {
                await WaitUntilAsync(due, cancellationToken);
                if (slots is not null)
                    await slots.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                for (var j = i; j < n; j++)
                    results[j] = NotSent(plan, j);
                break;
            }
            var eligible = Math.Max(due, Stopwatch.GetTimestamp());
            var index = i;
            inFlight.Add(RunOneAsync(index, eligible));
        }
        await Task.WhenAll(inFlight);
        var end = Stopwatch.GetTimestamp();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var duration = Seconds(start, end);
        var all = results.Select((r, i) => r ?? NotSent(plan, i)).ToArray();
        return new RunOutcome(all, duration, Overhead(all, cpu, duration), tags);

        async Task RunOneAsync(int index, long eligible)
        {
            try
            {
                var send = client.SendAsync(plan.Requests[index], cancellationToken);
                observer?.OnSent(index);
                var response = await send;
                var result = Timed(response, plan.ArrivalsS[index], start, eligible);
                tags[index] = tags[index] with { CachedTokens = response.CachedTokens };
                results[index] = result;
                observer?.OnCompleted(result);
            }
            finally
            {
                slots?.Release();
            }
        }
    }

    static RequestResult NotSent(RunPlan plan, int index) =>
        NotSent(index, plan.ArrivalsS[index], plan.Requests[index].PromptTokens, "the run was stopped before it was sent");

    internal static RequestResult NotSent(int index, double scheduledS, int promptTokens, string why) => new()
    {
        Index = index,
        ScheduledS = Math.Round(scheduledS, 6),
        Failure = FailureKind.Cancelled,
        Error = why,
        PromptTokens = promptTokens,
    };

    internal static async Task WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        // Timers may fire a fraction of a millisecond early: wait again until the due time has really passed.
        for (var remaining = due - Stopwatch.GetTimestamp(); remaining > 0; remaining = due - Stopwatch.GetTimestamp())
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.001, (double)remaining / Stopwatch.Frequency)), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
    }

    internal static ClientOverhead Overhead(IReadOnlyList<RequestResult> results, double cpuSeconds, double durationS)
    {
        var lags = results.Where(r => r.SentS is not null).Select(r => r.LagMs).Order().ToArray();
        var parse = results.Where(r => r.SentS is not null).Select(r => r.ClientParseMs).ToArray();
        return new ClientOverhead(
            Math.Round(Percentiles.Mean(lags), 3), Math.Round(Percentiles.Of(lags, 50), 3), Math.Round(Percentiles.Of(lags, 99), 3),
            lags.Length > 0 ? lags[^1] : 0, Math.Round(Percentiles.Mean(parse), 4),
            durationS > 0 ? Math.Round(cpuSeconds / durationS, 3) : 0, Environment.ProcessorCount);
    }

    internal static double Seconds(long from, long to) => (double)(to - from) / Stopwatch.Frequency;

    /// <summary>A response's result with when it was due (seconds from the run's start), sent, and how late its send was past when it could leave.</summary>
    internal static RequestResult Timed(ClientResponse response, double scheduledS, long start, long eligible) => response.Result with
    {
        ScheduledS = Math.Round(scheduledS, 6),
        SentS = Math.Round(Seconds(start, response.SentTimestamp), 6),
        LagMs = Math.Round(Math.Max(0, Seconds(eligible, response.SentTimestamp) * 1000), 3),
    };
}
