using Serving.Engine.Engine;

namespace Serving.Host.Profiling;

/// <summary>Names and default locations of saved profiles.</summary>
internal static class ProfilePaths
{
    /// <summary>The model's folder name, or <c>tiny-llama</c> for the default model.</summary>
    public static string ModelName(string? modelPath) =>
        modelPath is null ? "tiny-llama" : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelPath)));

    /// <summary><c>cpu-2t</c> for a CPU with 2 libtorch threads (CPU timings depend on them), else the device type.</summary>
    public static string DeviceName(LlmEngine engine)
    {
        var type = engine.Device.type.ToString().ToLowerInvariant();
        return type == "cpu" ? CpuDeviceName(TorchSharp.torch.get_num_threads()) : type;
    }

    /// <summary><c>cpu-Nt</c>: a CPU with N libtorch threads.</summary>
    public static string CpuDeviceName(int threads) => $"cpu-{threads}t";

    /// <summary><c>~/.cache/serving/profiles/&lt;model&gt;-&lt;device&gt;-&lt;dtype&gt;.json</c>.</summary>
    public static string DefaultPath(string model, string device, string dtype) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "serving", "profiles", $"{model}-{device}-{dtype}.json");
}
