using System.Runtime.InteropServices;

namespace Serving.Tools.Shared;

/// <summary>
/// Where and when the numbers were taken, how busy the machine was, and the CPU flags that decide which kernels can
/// run (compiled into each tool that reports it).
/// </summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string CpuFlags, string Os, string Runtime, string Host, string DateUtc, double? LoadAverage)
{
    // The flags that choose libtorch's and llama.cpp's matrix kernels.
    static readonly string[] KernelFlags = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile"];

    public static MachineInfo Read()
    {
        var flags = (ProcInfo.CpuInfo("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return new MachineInfo(
            ProcInfo.CpuInfo("model name") ?? RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            string.Join(' ', KernelFlags.Where(flags.Contains)), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            Environment.MachineName, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ProcInfo.LoadAverage());
    }
}
