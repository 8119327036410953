using Serving.Model.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>
/// Rotary position tables in Hugging Face's rotate-half layout. The sine table carries the sign of rotate_half
/// (−sin on the first half), so applying rope is <c>x·cos + roll(x, d/2)·sin</c>: three kernels, no concatenation.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    // Kept referenced: a temporary Scalar is not kept alive through TorchSharp's native call (see LlamaModel.One).
    static readonly Scalar One = 1;
    readonly Tensor cos;
    readonly Tensor sinSigned;
    readonly int half;

    public RotaryEmbedding(ModelConfig config, ScalarType dtype, Device device)
    {
        var dim = config.HeadDim;
        half = dim / 2;
        var invFreq = new double[half];
        for (var i = 0; i < half; i++)
            invFreq[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / dim);
        if (config.RopeScaling is { } scaling)
            invFreq = scaling.Apply(invFreq);

        var positions = config.MaxPositionEmbeddings;
        var cosData = new float[positions * dim];
        var sinData = new float[positions * dim];
        for (var p = 0; p < positions; p++)
        {
            for (var i = 0; i < half; i++)
            {
                // Angles in float32, as the reference implementations compute them.
                var angle = (float)p * (float)invFreq[i];
                float c = MathF.Cos(angle), s = MathF.Sin(angle);
                cosData[p * dim + i] = c;
                cosData[p * dim + half + i] = c;
                sinData[p * dim + i] = -s;
                sinData[p * dim + half + i] = s;
            }
        }
        cos = torch.tensor(cosData, [positions, dim]).to(dtype).to(device);
        sinSigned = torch.tensor(sinData, [positions, dim]).to(dtype).to(device);
    }

    /// <summary>Cos and signed-sin rows for the given positions, shaped [N, 1, headDim] to broadcast over heads.</summary>
    public (Tensor Cos, Tensor Sin) ForPositions(Tensor positions) =>
        (cos.index_select(0, positions).unsqueeze(1), sinSigned.index_select(0, positions).unsqueeze(1));

    /// <summary>Applies rope to x [N, heads, headDim]; returns a new tensor.</summary>
    public Tensor Apply(Tensor x, Tensor cosRows, Tensor sinRows)
    {
        using var rolled = x.roll(half, -1);
        var rotated = x.mul(cosRows);
        rotated.addcmul_(rolled, sinRows, One);
        return rotated;
    }

    public void Dispose()
    {
        cos.Dispose();
        sinSigned.Dispose();
    }
}
