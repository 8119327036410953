using System.Runtime.InteropServices;
using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>Where and when the numbers were taken, with the CPU flags that decide which kernels either side can use.</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string CpuFlags, string Os, string Runtime, string DateUtc)
{
    public static MachineInfo Read()
    {
        var all = (ProcInfo.CpuInfo("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        string[] wanted = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile"];
        return new MachineInfo(ProcInfo.CpuInfo("model name") ?? "unknown", Environment.ProcessorCount, string.Join(' ', wanted.Where(all.Contains)),
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
    }
}
