using Serving.Model.Config;

namespace Serving.Engine.Core;

/// <summary>
/// The device type and dtype an engine runs in, resolved from its options the one way the engine itself resolves
/// them: <c>auto</c> is CUDA when libtorch sees one; the dtype <c>auto</c> is float32 on a CPU and the checkpoint's
/// own dtype on a GPU. `serving profile` names a profile by it and the planner finds the profile by it.
/// </summary>
/// <param name="DeviceType"><c>cpu</c> or <c>cuda</c>.</param>
/// <param name="DType"><c>float32</c>, <c>bfloat16</c> or <c>float16</c>.</param>
public sealed record EngineTarget(string DeviceType, string DType)
{
    /// <param name="device">auto, cpu, cuda or cuda:N.</param>
    /// <param name="dtype">auto, or a dtype name (float32, bf16, …).</param>
    /// <param name="checkpointDtype">The checkpoint's <c>torch_dtype</c>.</param>
    /// <param name="cudaAvailable">Whether libtorch sees a GPU.</param>
    public static EngineTarget Resolve(string device, string dtype, string checkpointDtype, bool cudaAvailable)
    {
        var type = ResolveDeviceType(device, cudaAvailable);
        return new EngineTarget(type, DTypeName(dtype == "auto" ? type == "cpu" ? "float32" : checkpointDtype : dtype));
    }

    /// <summary>The target of an engine built with <paramref name="options"/> on a model with <paramref name="config"/>, on this machine.</summary>
    public static EngineTarget For(EngineOptions options, ModelConfig config) =>
        Resolve(options.Device, options.DType, config.TorchDtype, TorchSharp.torch.cuda.is_available());

    /// <summary><c>cpu</c> or <c>cuda</c> for a device option; refuses an unknown device, and CUDA where there is none.</summary>
    public static string ResolveDeviceType(string device, bool cudaAvailable) => device switch
    {
        "auto" => cudaAvailable ? "cuda" : "cpu",
        "cpu" => "cpu",
        _ when device.StartsWith("cuda", StringComparison.Ordinal) =>
            cudaAvailable ? "cuda" : throw new ArgumentException($"device '{device}' was asked for but CUDA is not available."),
        _ => throw new ArgumentException($"unknown device '{device}' (use auto, cpu, cuda or cuda:N)."),
    };

    /// <summary>The canonical name of a dtype (<c>bf16</c> → <c>bfloat16</c>); refuses one the engine does not run.</summary>
    public static string DTypeName(string dtype) => dtype switch
    {
        "float32" or "f32" or "fp32" => "float32",
        "bfloat16" or "bf16" => "bfloat16",
        "float16" or "f16" or "fp16" or "half" => "float16",
        _ => throw new ArgumentException($"unsupported dtype '{dtype}' (use float32, bfloat16 or float16)."),
    };
}
