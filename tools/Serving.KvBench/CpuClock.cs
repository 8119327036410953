using System.Globalization;

namespace Serving.KvBench;

/// <summary>
/// CPU time (user + system, all threads, exited ones included) of the two processes, from /proc: on a shared machine
/// the CPU a transfer costs is steadier than its wall time. Zero where /proc is missing.
/// </summary>
internal static class CpuClock
{
    const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Seconds(params int[] pids) => pids.Sum(Seconds);

    static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
