using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Core;

/// <summary>
/// The libtorch device and scalar type of an <see cref="EngineTarget"/>: CUDA when libtorch sees one, else CPU (never a
/// compile-time branch). float32 is the CPU default: at batch 1 it is faster than bf16 here (bf16 pays off only in
/// large matmuls, and only on CPUs with avx512_bf16), and it is what the llama.cpp oracle is compared against.
/// </summary>
internal static class DeviceSelection
{
    public static Device Device(string device) =>
        EngineTarget.ResolveDeviceType(device, torch.cuda.is_available()) == "cpu" ? torch.CPU : device == "auto" ? torch.CUDA : new Device(device);

    public static ScalarType ScalarType(EngineTarget target) => target.DType switch
    {
        "float32" => torch.ScalarType.Float32,
        "bfloat16" => torch.ScalarType.BFloat16,
        _ => torch.ScalarType.Float16,
    };

    public static string Name(ScalarType t) => t switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Float16 => "float16",
        _ => throw new NotSupportedException(t.ToString()),
    };
}
