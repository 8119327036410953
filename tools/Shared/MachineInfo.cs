using System.Runtime.InteropServices;

namespace Serving.Tools.Shared;

/// <summary>Where and when the numbers were taken (compiled into each benchmark tool that reports it).</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string Os, string Runtime, string DateUtc, double? LoadAverage)
{
    public static MachineInfo Read()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new MachineInfo(model ?? "unknown", Environment.ProcessorCount, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), LoadAverageNow());
    }

    /// <summary>The 1-minute load average, to show how busy the shared machine was.</summary>
    public static double? LoadAverageNow() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : null;
}
