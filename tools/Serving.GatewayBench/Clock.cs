using System.Diagnostics;

namespace Serving.GatewayBench;

/// <summary>
/// One monotonic clock for both processes: on Linux <see cref="Stopwatch.GetTimestamp"/> reads CLOCK_MONOTONIC,
/// so a timestamp the server's engine writes into a token compares directly with the client's.
/// </summary>
internal static class Clock
{
    public static long Now() => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
