using Serving.Engine.Cache;
using Serving.Engine.Core;
using Serving.Engine.Model;
using Serving.Model.Config;
using static TorchSharp.torch;

namespace Serving.Worker.Tests;

/// <summary>
/// A model whose passes wait until the test lets them go (a long prefill held open, or a hung kernel), under the
/// real engine: <see cref="CreateEngine"/>. Every pass scores token 1 highest.
/// </summary>
internal sealed class HeldModel : IForwardModel
{
    public readonly SemaphoreSlim StepEntered = new(0);
    public readonly SemaphoreSlim Release = new(0);

    static readonly ModelConfig Config = new()
    {
        ModelType = "llama",
        HiddenSize = 8,
        IntermediateSize = 8,
        NumLayers = 1,
        NumHeads = 1,
        NumKvHeads = 1,
        HeadDim = 8,
        VocabSize = 16,
        MaxPositionEmbeddings = 64,
    };

    public Device Device => CPU;
    public int NumLayers => 1;

    /// <summary>
    /// Runs one request through the loop first: a cold engine's first step spends its first hundreds of milliseconds in
    /// libtorch and the JIT before the model begins, which a test timing a step's own length must not count.
    /// </summary>
    public async Task WarmUpAsync(Serving.Worker.Runtime.EngineLoop loop)
    {
        var outputs = loop.Submit("warm-up", [1, 2, 3], Serving.Model.Sampling.SamplingParams.Greedy(1));
        Assert.True(await StepEntered.WaitAsync(TimeSpan.FromSeconds(30)), "the warm-up step did not start");
        Release.Release();
        await foreach (var _ in outputs.ReadAllAsync())
        {
        }
    }

    public LlmEngine CreateEngine() =>
        new(Config, new EngineOptions { Device = "cpu", DType = "float32", NumBlocks = 16 }, tokenizer: null, (_, _) => (this, "held"));

    public void Begin(ForwardBatch batch)
    {
        batch.Hidden = zeros(batch.NumTokens, 1);
        StepEntered.Release();
        Release.Wait();
    }

    public void RunLayers(ForwardBatch batch, int endLayer, KvCache cache) => batch.NextLayer = endLayer;

    public Tensor Logits(ForwardBatch batch)
    {
        var logits = zeros(batch.LogitRows.shape[0], Config.VocabSize);
        logits[TensorIndex.Colon, 1] = tensor(1e4f);
        return logits;
    }

    public void Dispose()
    {
    }
}
