using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Serving.GatewayBench.Fake;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp without spinning (a spinning fake would take a core from the
/// path it measures). On Linux one absolute clock_nanosleep on CLOCK_MONOTONIC, the clock Stopwatch reads; elsewhere
/// Thread.Sleep, which is only millisecond-precise.
/// </summary>
internal static partial class PreciseSleep
{
    const int ClockMonotonic = 1;
    const int TimerAbsolute = 1;
    const int Interrupted = 4;

    public static void Until(long timestamp)
    {
        if (OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000)
        {
            var at = new Timespec(timestamp / 1_000_000_000, timestamp % 1_000_000_000);
            while (ClockNanosleep(ClockMonotonic, TimerAbsolute, in at, 0) == Interrupted)
            {
            }
            return;
        }
        long remaining;
        while ((remaining = timestamp - Stopwatch.GetTimestamp()) > 0)
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency)));
    }

    [StructLayout(LayoutKind.Sequential)]
    readonly record struct Timespec(long Seconds, long Nanoseconds);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, nint remain);
}
