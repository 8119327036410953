using System.Diagnostics;

namespace Serving.KvBench;

/// <summary>
/// One monotonic clock for both processes: on Linux <see cref="Stopwatch.GetTimestamp"/> reads CLOCK_MONOTONIC,
/// so timestamps taken in the receiver compare directly with the sender's.
/// </summary>
internal static class Clock
{
    public static long Now() => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
