using System.Runtime.InteropServices;

namespace Serving.Tools.Shared;

/// <summary>Where and when the numbers were taken (compiled into each benchmark tool that reports it).</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string Os, string Runtime, string DateUtc, double? LoadAverage)
{
    public static MachineInfo Read() =>
        new(ProcInfo.CpuInfo("model name") ?? "unknown", Environment.ProcessorCount, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ProcInfo.LoadAverage());
}
