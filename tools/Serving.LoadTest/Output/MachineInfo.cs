using System.Runtime.InteropServices;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Output;

/// <summary>Where and when the numbers were taken, and how busy the machine was.</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCpus, string Os, string Runtime, string Host, double? LoadAverage)
{
    public static MachineInfo Read() =>
        new(ProcInfo.CpuInfo("model name") ?? RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, Environment.MachineName, ProcInfo.LoadAverage());
}
