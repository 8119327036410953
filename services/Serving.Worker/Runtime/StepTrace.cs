using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Serving.Engine.Core;

namespace Serving.Worker.Runtime;

/// <summary>
/// One CSV line per engine step: when it started, how long it took on the wall clock and on the loop thread's own
/// CPU clock, how long the commands before it (KV imports, new requests) took, and what it ran (<see cref="StepStats"/>).
/// Set beside the latency profile it shows where serving departs from the profiled engine: a step whose wall time
/// exceeds its CPU time waited for a core; one whose CPU time exceeds the profile ran slower on a shared memory bus.
/// Written on the loop thread, buffered and flushed every second; <c>serving calibrate</c> reads it back.
/// </summary>
public sealed class StepTrace : IDisposable
{
    public const string Header =
        "t_s,step_ms,step_cpu_ms,commands_ms,decode_requests,decode_context_tokens,prefill_prompts,prefill_tokens,prefill_sum_squares,prefill_layers,layers";

    readonly StreamWriter writer;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly int layers;
    double flushedAt;

    public StepTrace(string path, int layers)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        writer = new StreamWriter(path, append: false) { AutoFlush = false };
        writer.WriteLine(Header);
        this.layers = layers;
    }

    /// <summary>Seconds since the trace began: the clock <see cref="Write"/>'s start times are on.</summary>
    public double Now => clock.Elapsed.TotalSeconds;

    public void Write(double startSeconds, double stepSeconds, double stepCpuSeconds, double commandsSeconds, StepStats s)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{startSeconds:F6},{stepSeconds * 1e3:F3},{stepCpuSeconds * 1e3:F3},{commandsSeconds * 1e3:F3},{s.DecodeRequests},{s.DecodeContextTokens},{s.PrefillPrompts},{s.PrefillTokens},{s.PrefillSumSquares:R},{s.PrefillLayers},{layers}");
        writer.WriteLine(line);
        // At most a second of steps is lost if the process dies without stopping its workers.
        if (startSeconds - flushedAt >= 1)
        {
            writer.Flush();
            flushedAt = startSeconds;
        }
    }

    /// <summary>Flushes and closes the file; the loop calls it once its thread has stopped (one writer, no lock).</summary>
    public void Dispose() => writer.Dispose();

    /// <summary>The calling thread's CPU time in seconds (Linux; NaN elsewhere).</summary>
    public static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
            return double.NaN;
        return clock_gettime(ClockThreadCpuTime, out var ts) == 0 ? ts.Seconds + ts.Nanoseconds * 1e-9 : double.NaN;
    }

    const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    static extern int clock_gettime(int clock, out TimeSpec time);
}
