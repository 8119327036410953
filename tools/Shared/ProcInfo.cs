using System.Globalization;

namespace Serving.Tools.Shared;

/// <summary>Facts about this machine from /proc (Linux), for the tools' reports; null or empty elsewhere.</summary>
internal static class ProcInfo
{
    /// <summary>The value of the first <c>key : value</c> line of /proc/cpuinfo, e.g. "model name".</summary>
    public static string? CpuInfo(string key) =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;

    /// <summary>The 1-minute load average, to show how busy the shared machine was.</summary>
    public static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float,
            CultureInfo.InvariantCulture, out var load) ? load : null;
}
