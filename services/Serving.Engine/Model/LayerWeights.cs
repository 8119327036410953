using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>One decoder layer's weights, with q/k/v and gate/up fused so a layer costs few kernel launches.</summary>
internal sealed record LayerWeights(
    Tensor InputNorm,
    Tensor Qkv,
    Tensor? QkvBias,
    Tensor O,
    Tensor PostNorm,
    Tensor GateUp,
    Tensor Down) : IDisposable
{
    public void Dispose()
    {
        InputNorm.Dispose();
        Qkv.Dispose();
        QkvBias?.Dispose();
        O.Dispose();
        PostNorm.Dispose();
        GateUp.Dispose();
        Down.Dispose();
    }
}
