using LLama;
using LLama.Common;
using LLama.Native;
using Serving.Engine.Checkpoint.Gguf;
using Serving.Engine.Core;

namespace Serving.Engine.Tests.Oracle;

/// <summary>
/// Shared by the oracle tests: our float32 engine on the default model, and the same weights written once as an
/// F32 GGUF and loaded by llama.cpp with an f32 KV cache and 2 threads.
/// </summary>
public sealed class LlamaCppOracleFixture : IDisposable
{
    readonly TempFolder folder = new();

    public LlamaCppOracleFixture()
    {
        var path = folder.File("default-f32.gguf");
        GgufWriter.Write(DefaultModelFixture.Folder, path);
        Parameters = new ModelParams(path)
        {
            ContextSize = 256,
            BatchSize = 256,
            UBatchSize = 256,
            GpuLayerCount = 0,
            Threads = 2,
            BatchThreads = 2,
            // The default KV cache is f16, which would round every cached key and value.
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
        };
        Weights = LLamaWeights.LoadFromFile(Parameters);
        Engine = LlmEngine.Create(new EngineOptions
        {
            ModelPath = DefaultModelFixture.Folder,
            Device = "cpu",
            DType = "float32",
            NumThreads = 2,
            NumBlocks = 64,
            EnablePrefixCaching = false,
        });
    }

    internal LlmEngine Engine { get; }
    internal ModelParams Parameters { get; }
    internal LLamaWeights Weights { get; }

    public void Dispose()
    {
        Engine.Dispose();
        Weights.Dispose();
        folder.Dispose();
    }
}
