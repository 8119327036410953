using System.Diagnostics;

namespace Serving.Gateway.Telemetry;

/// <summary>One choice's latencies, taken from a monotonic clock as its chunks pass through the gateway.</summary>
internal sealed class ChoiceTiming(GatewayMetrics metrics, long startedAt)
{
    long lastAt;
    long firstAt;

    public void OnChunk(int newTokens, bool finished, int outputTokens)
    {
        var now = Stopwatch.GetTimestamp();
        if (newTokens > 0)
        {
            if (firstAt == 0)
            {
                firstAt = now;
                metrics.Ttft.Record(Stopwatch.GetElapsedTime(startedAt, now).TotalSeconds);
            }
            else
                metrics.Itl.Record(Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds);
            lastAt = now;
            metrics.GeneratedTokens.Add(newTokens);
        }
        if (!finished || firstAt == 0)
            return;
        var e2e = Stopwatch.GetElapsedTime(startedAt, now);
        metrics.E2e.Record(e2e.TotalSeconds);
        if (outputTokens > 1)
            metrics.Tpot.Record((e2e - Stopwatch.GetElapsedTime(startedAt, firstAt)).TotalSeconds / (outputTokens - 1));
    }
}
