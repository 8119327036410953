using System.Runtime.InteropServices;

namespace Serving.Bench;

/// <summary>Where and when the numbers were taken.</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string CpuFlags, string Os, string Runtime, string DateUtc)
{
    public static MachineInfo Read()
    {
        var model = "unknown";
        var flags = "";
        if (File.Exists("/proc/cpuinfo"))
        {
            var lines = File.ReadLines("/proc/cpuinfo").ToList();
            model = Value(lines, "model name") ?? model;
            // Only the flags that decide which kernels either side can use.
            var all = (Value(lines, "flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            string[] wanted = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile"];
            flags = string.Join(' ', wanted.Where(all.Contains));
        }
        return new MachineInfo(model, Environment.ProcessorCount, flags, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
    }

    /// <summary>The 1-minute load average, to show how busy the shared machine was.</summary>
    public static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : null;

    static string? Value(List<string> lines, string key) =>
        lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
}
