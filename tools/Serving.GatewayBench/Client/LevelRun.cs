using System.Diagnostics;
using Serving.GatewayBench.Fake;
using Serving.GatewayBench.Reporting;

namespace Serving.GatewayBench.Client;

/// <summary>N streams at once against the server, and what they measured.</summary>
internal static class LevelRun
{
    public static async Task<LevelSample> RunAsync(HttpClient http, ServerProcess server, int streams, int rep, int maxTokens, double intervalMs)
    {
        await server.StepsAsync();
        var jit = await server.JitAsync();
        var body = StreamClient.Body(maxTokens);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cpu = (Server: server.CpuTime, Client: Process.GetCurrentProcess().TotalProcessorTime);
        var results = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(() => StreamClient.RunAsync(http, body, maxTokens, timeout.Token))));
        cpu = (server.CpuTime - cpu.Server, Process.GetCurrentProcess().TotalProcessorTime - cpu.Client);
        var steps = await server.StepsAsync();
        var jitAfter = await server.JitAsync();
        return Measure(results, steps, streams, rep, intervalMs, cpu) with
        {
            ServerJitMethods = jitAfter.Methods - jit.Methods,
            ServerJitMs = Math.Round(jitAfter.Ms - jit.Ms, 1),
        };
    }

    public static LevelSample Measure(StreamResult[] results, List<StepSample> steps, int streams, int rep, double intervalMs, (TimeSpan Server, TimeSpan Client) cpu)
    {
        var ok = results.Where(r => r.Ok && r.Received.Count > 0).ToArray();
        var errors = results.Length - results.Count(r => r.Ok);
        // Streams are open from their first token to their last; all were held at once when the latest first
        // token came before the earliest last one.
        var windowStart = ok.Length > 0 ? ok.Max(r => r.First) : 0;
        var windowEnd = ok.Length > 0 ? ok.Min(r => r.Last) : 0;
        var allOpen = errors == 0 && ok.Length == streams && windowEnd > windowStart;
        if (!allOpen && ok.Length > 0)
        {
            windowStart = ok.Min(r => r.First);
            windowEnd = ok.Max(r => r.Last);
        }
        bool Inside(long t) => t >= windowStart && t <= windowEnd;

        var added = new List<double>();
        var serverAdded = new List<double>();
        var delivery = new List<double>();
        long tokensInWindow = 0;
        foreach (var r in ok)
        {
            for (var i = 0; i < r.Received.Count; i++)
            {
                if (!Inside(r.Received[i]))
                    continue;
                tokensInWindow++;
                delivery.Add(Clock.Ms(r.Emitted[i], r.Received[i]));
                if (i == 0 || !Inside(r.Received[i - 1]))
                    continue;
                added.Add(Clock.Ms(r.Received[i - 1], r.Received[i]) - intervalMs);
                serverAdded.Add(Clock.Ms(r.Emitted[i - 1], r.Emitted[i]) - intervalMs);
            }
        }
        var windowS = Clock.Ms(windowStart, windowEnd) / 1000;
        var a = Sorted(added);
        var s = Sorted(serverAdded);
        var d = Sorted(delivery);
        var late = Sorted(steps.Select(x => x.LateMs));
        var between = Sorted(steps.Select(x => x.BetweenMs).Where(x => !double.IsNaN(x)));
        return new LevelSample(
            streams, rep, errors, results.FirstOrDefault(r => !r.Ok)?.Error, MaxOpen(ok), allOpen, R(windowS), a.Length,
            R(Percentiles.Of(a, 50) + intervalMs), R(Percentiles.Of(a, 50)), R(Percentiles.Of(a, 90)), R(Percentiles.Of(a, 99)),
            R(a.Length > 0 ? a.Average() : double.NaN), R(a.Length > 0 ? a.Count(x => x < -intervalMs / 2) / (double)a.Length : double.NaN),
            R(Percentiles.Of(s, 50)), R(Percentiles.Of(s, 99)), R(Percentiles.Of(d, 50)), R(Percentiles.Of(d, 99)),
            windowS > 0 ? Math.Round(tokensInWindow / windowS, 1) : double.NaN,
            R(Percentiles.Of(late, 50)), R(Percentiles.Of(late, 99)), R(Percentiles.Of(between, 50)), R(Percentiles.Of(between, 99)),
            steps.Count > 0 ? steps.Max(x => x.Batch) : 0,
            PerToken(cpu.Server, results), PerToken(cpu.Client, results));
    }

    /// <summary>The most streams open at one moment (first token to last token).</summary>
    static int MaxOpen(StreamResult[] streams)
    {
        var events = streams.SelectMany(r => new[] { (T: r.First, D: 1), (T: r.Last, D: -1) }).OrderBy(e => e.T).ThenByDescending(e => e.D);
        int open = 0, max = 0;
        foreach (var (_, delta) in events)
            max = Math.Max(max, open += delta);
        return max;
    }

    /// <summary>CPU microseconds per token event received, over the whole level (connections, requests and all).</summary>
    static double PerToken(TimeSpan cpu, StreamResult[] results) =>
        results.Sum(r => r.Received.Count) is var tokens and > 0 ? Math.Round(cpu.TotalMicroseconds / tokens, 1) : double.NaN;

    static double[] Sorted(IEnumerable<double> values) => [.. values.Order()];

    static double R(double value) => Percentiles.Round(value);
}
