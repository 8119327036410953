using Serving.Engine.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Engine;

/// <summary>Picks the device and dtype at run time: CUDA when libtorch sees one, else CPU (never a compile-time branch).</summary>
internal static class DeviceSelection
{
    public static Device Resolve(string device) => device switch
    {
        "auto" => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        "cpu" => torch.CPU,
        _ when device.StartsWith("cuda", StringComparison.Ordinal) =>
            torch.cuda.is_available() ? new Device(device) : throw new ArgumentException($"device '{device}' was asked for but CUDA is not available."),
        _ => throw new ArgumentException($"unknown device '{device}' (use auto, cpu, cuda or cuda:N)."),
    };

    /// <summary>
    /// float32 is the CPU default: at batch 1 it is faster than bf16 here (bf16 pays off only in large matmuls, and
    /// only on CPUs with avx512_bf16), and it is what the llama.cpp oracle is compared against.
    /// </summary>
    public static ScalarType ResolveDType(string dtype, ModelConfig config, Device device) => dtype switch
    {
        "auto" when device.type == DeviceType.CPU => ScalarType.Float32,
        "auto" => Parse(config.TorchDtype),
        _ => Parse(dtype),
    };

    static ScalarType Parse(string name) => name switch
    {
        "float32" or "f32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "f16" or "fp16" or "half" => ScalarType.Float16,
        _ => throw new ArgumentException($"unsupported dtype '{name}' (use float32, bfloat16 or float16)."),
    };

    public static string Name(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => throw new NotSupportedException(t.ToString()),
    };
}
