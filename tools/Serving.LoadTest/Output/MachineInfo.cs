using System.Globalization;
using System.Runtime.InteropServices;

namespace Serving.LoadTest.Output;

/// <summary>Where and when the numbers were taken, and how busy the machine was.</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string Os, string Runtime, string Host, double? LoadAverage)
{
    public static MachineInfo Read()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new MachineInfo(model ?? RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, Environment.MachineName, LoadAverageNow());
    }

    /// <summary>The 1-minute load average (Linux), to show how much else ran beside the test.</summary>
    public static double? LoadAverageNow() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float,
            CultureInfo.InvariantCulture, out var load) ? load : null;
}
