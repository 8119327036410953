using Serving.Engine.Cache;
using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>
/// What the model runner runs a batch through: <see cref="LlamaModel"/>, or a stand-in below the engine's public
/// surface (a benchmark's fixed-interval clock, a test's held step) so everything above it is the real engine.
/// </summary>
internal interface IForwardModel : IDisposable
{
    Device Device { get; }
    int NumLayers { get; }

    /// <summary>Prepares the batch's first layer input (and sets <see cref="ForwardBatch.Hidden"/>).</summary>
    void Begin(ForwardBatch batch);

    /// <summary>Runs layers from <see cref="ForwardBatch.NextLayer"/> up to <paramref name="endLayer"/>, writing their KV.</summary>
    void RunLayers(ForwardBatch batch, int endLayer, KvCache cache);

    /// <summary>Float32 logits for the batch's sampled rows (<see cref="ForwardBatch.LogitRows"/>).</summary>
    Tensor Logits(ForwardBatch batch);
}
