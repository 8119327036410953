using Serving.Engine.Core;

namespace Serving.Host.Profiling;

/// <summary>Names and default locations of saved profiles: one per model, device (with its thread count on a CPU) and dtype.</summary>
internal static class ProfilePaths
{
    /// <summary>The model's folder name, or <c>tiny-llama</c> for the default model.</summary>
    public static string ModelName(string? modelPath) =>
        modelPath is null ? "tiny-llama" : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelPath)));

    /// <summary><c>cpu-2t</c> for a CPU with 2 libtorch threads (CPU timings depend on them), else the device type.</summary>
    public static string DeviceName(EngineTarget target, int cpuThreads) =>
        target.DeviceType == "cpu" ? $"cpu-{cpuThreads}t" : target.DeviceType;

    /// <summary><c>~/.cache/serving/profiles/&lt;model&gt;-&lt;device&gt;-&lt;dtype&gt;.json</c>.</summary>
    public static string DefaultPath(string model, string device, string dtype) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "serving", "profiles", $"{model}-{device}-{dtype}.json");

    /// <summary>Where `serving profile` saves the profile of <paramref name="model"/> on <paramref name="target"/>.</summary>
    public static string DefaultPath(string model, EngineTarget target, int cpuThreads) =>
        DefaultPath(model, DeviceName(target, cpuThreads), target.DType);
}
