using Serving.Engine.Cache;
using Serving.Model.Config;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Serving.Engine.Model;

/// <summary>
/// The Llama-family decoder (Llama 2/3, Mistral, TinyLlama, Qwen2) over a flattened batch and the paged KV cache.
/// Built for few kernels per layer: fused q/k/v and gate/up projections, rope without concatenation, KV written
/// in place, grouped-query attention without repeating KV heads for decode, logits only for sampled rows.
/// </summary>
internal sealed class LlamaModel : IForwardModel
{
    readonly LlamaWeights weights;
    readonly RotaryEmbedding rope;
    readonly int numHeads, numKvHeads, headDim, groups, intermediate, qkSize, kvSize;
    // Scalars passed to libtorch stay referenced for the model's life: TorchSharp's overloads that make a temporary
    // Scalar (add_(tensor) passes alpha = 1) do not keep it alive through the native call, so a GC could finalize it
    // mid-call (seen under load: "Expected false to be true ... toFloat" from add_, failing a whole step). square() is
    // pow(2) with such a temporary (seen: "INTERNAL ASSERT FAILED at Scalar.h" from pow in RmsNorm), hence pow(Two).
    static readonly Scalar One = 1;
    static readonly Scalar Two = 2;
    readonly Scalar epsScalar;
    readonly bool transposedGemm;
    // Above this many rows (prefill) libtorch's own x·Wᵀ was faster: 1.28-1.30× llama.cpp's prefill of 2,048 tokens against 1.17-1.18×.
    const int MaxTransposedRows = 64;

    public LlamaModel(ModelConfig config, LlamaWeights weights, ScalarType dtype, Device device)
    {
        Config = config;
        DType = dtype;
        Device = device;
        this.weights = weights;
        rope = new RotaryEmbedding(config, dtype, device);
        numHeads = config.NumHeads;
        numKvHeads = config.NumKvHeads;
        headDim = config.HeadDim;
        groups = numHeads / numKvHeads;
        intermediate = config.IntermediateSize;
        qkSize = (numHeads + numKvHeads) * headDim;
        kvSize = numKvHeads * headDim;
        epsScalar = config.RmsNormEps;
        transposedGemm = device.type == DeviceType.CPU && dtype == ScalarType.Float32;
    }

    public ModelConfig Config { get; }
    public ScalarType DType { get; }
    public Device Device { get; }
    public int NumLayers => Config.NumLayers;

    /// <summary>Embeds the batch's tokens and prepares its rope rows; layers run next.</summary>
    public void Begin(ForwardBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        var (cos, sin) = rope.ForPositions(batch.Positions);
        batch.Cos = cos.DetachFromDisposeScope();
        batch.Sin = sin.DetachFromDisposeScope();
        batch.Hidden = weights.Embed.index_select(0, batch.TokenIds).DetachFromDisposeScope();
        batch.NextLayer = 0;
    }

    /// <summary>Runs layers [NextLayer, endLayer) on the batch, writing their KV into the cache.</summary>
    public void RunLayers(ForwardBatch batch, int endLayer, KvCache cache)
    {
        if (batch.Hidden is null)
            throw new InvalidOperationException("Begin the forward pass before running layers.");
        if (endLayer < batch.NextLayer || endLayer > NumLayers)
            throw new ArgumentOutOfRangeException(nameof(endLayer), $"layer range [{batch.NextLayer}, {endLayer}) is outside [0, {NumLayers}).");
        for (var l = batch.NextLayer; l < endLayer; l++)
        {
            using var scope = torch.NewDisposeScope();
            Layer(l, batch, batch.Hidden, cache);
        }
        batch.NextLayer = endLayer;
    }

    /// <summary>Final norm and LM head on the batch's logit rows, as float32 [rows, vocab].</summary>
    public Tensor Logits(ForwardBatch batch)
    {
        if (batch.NextLayer != NumLayers)
            throw new InvalidOperationException($"Logits need all {NumLayers} layers; the pass stopped at {batch.NextLayer}.");
        using var scope = torch.NewDisposeScope();
        var rows = batch.Hidden!.index_select(0, batch.LogitRows);
        var normed = RmsNorm(rows, weights.FinalNorm);
        // The logits stay a transposed view: the sampler reads them as they are or copies them to the host anyway.
        var logits = Linear(normed, weights.LmHead, contiguous: false);
        return (logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// x·Wᵀ (+ bias) for x [rows, in] and W [out, in]. On the CPU in float32, for decode-sized batches, it is computed
    /// as (W·xᵀ)ᵀ. libtorch hands x·Wᵀ to MKL, which on AMD CPUs takes its generic kernels: those repack all of W on
    /// every call (a fifth of a decode step's time in perf), and at one row use a single-threaded matrix-vector
    /// product that streams the weight at about 14 GB/s. With W as the left operand the weight streams through a
    /// two-threaded GEMM in place. A single row is doubled, because a one-column product would fall back to that
    /// matrix-vector path. Measured on a 2-vCPU AMD EPYC with the default model: the LM head at batch 1 took 1.0 ms
    /// instead of 3.7 ms, at batch 8 2.3 ms instead of 5.8 ms, and a layer at batch 1 0.22 ms instead of 0.33 ms
    /// (serving-bench --suite step-profile; docs/benchmarks.md, issue 18).
    /// </summary>
    Tensor Linear(Tensor x, Tensor w, Tensor? bias = null, bool contiguous = true)
    {
        if (!transposedGemm || x.shape[0] > MaxTransposedRows)
            return bias is null ? F.linear(x, w) : F.linear(x, w, bias);
        var rows = x.shape[0];
        var columns = rows == 1 ? torch.cat([x, x]) : x;
        var y = w.mm(columns.t()).narrow(1, 0, rows).t();
        if (contiguous)
            y = y.contiguous();
        return bias is null ? y : y.add_(bias, One);
    }

    void Layer(int l, ForwardBatch b, Tensor x, KvCache cache)
    {
        var w = weights.Layers[l];
        var n = b.NumTokens;
        var h = RmsNorm(x, w.InputNorm);
        var qkv = Linear(h, w.Qkv, w.QkvBias);
        var qk = rope.Apply(qkv.narrow(1, 0, qkSize).view(n, numHeads + numKvHeads, headDim), b.Cos!, b.Sin!);
        var q = qk.narrow(1, 0, numHeads);
        var k = qk.narrow(1, numHeads, numKvHeads);
        var v = qkv.narrow(1, qkSize, kvSize).view(n, numKvHeads, headDim);
        cache.Slots(l).index_copy_(0, b.SlotMapping, torch.stack([k, v], 1));

        var attn = Attention(l, b, q, k, v, cache);
        x.add_(Linear(attn, w.O), One);

        var gateUp = Linear(RmsNorm(x, w.PostNorm), w.GateUp);
        var act = F.silu(gateUp.narrow(1, 0, intermediate)).mul_(gateUp.narrow(1, intermediate, intermediate));
        x.add_(Linear(act, w.Down), One);
    }

    Tensor Attention(int l, ForwardBatch b, Tensor q, Tensor k, Tensor v, KvCache cache)
    {
        var parts = new List<Tensor>(b.Prefills.Count + 1);
        if (b.NumDecodes > 0)
        {
            // Decode: one query per sequence; fold the query heads of each KV head into the query axis (GQA without repeating KV).
            var bsz = b.NumDecodes;
            var qd = q.narrow(0, 0, bsz).reshape(bsz, numKvHeads, groups, headDim);
            var blockSize = cache.Layout.BlockSize;
            Tensor o;
            if (b.DecodeGroups is [{ Rows: null } whole])
                o = DecodeAttention(qd, whole, cache.Blocks(l), blockSize);
            else
            {
                // Rows grouped by context length (less padding); each group's output goes back to its rows.
                o = torch.empty_like(qd);
                foreach (var g in b.DecodeGroups)
                    o.index_copy_(0, g.Rows!, DecodeAttention(qd.index_select(0, g.Rows!), g, cache.Blocks(l), blockSize));
            }
            parts.Add(o.reshape(bsz, numHeads * headDim));
        }
        foreach (var seg in b.Prefills)
        {
            var qs = q.narrow(0, seg.Start, seg.Length).transpose(0, 1).unsqueeze(0);
            Tensor o;
            if (seg.CachedLength == 0)
            {
                var ks = ExpandKvHeads(k.narrow(0, seg.Start, seg.Length));
                var vs = ExpandKvHeads(v.narrow(0, seg.Start, seg.Length));
                o = F.scaled_dot_product_attention(qs, ks, vs, is_casual: true);
            }
            else
            {
                var blockSize = cache.Layout.BlockSize;
                var nb = seg.ContextBlocks!.shape[0];
                var ctx = cache.Blocks(l).index_select(0, seg.ContextBlocks).view(nb * blockSize, 2, numKvHeads, headDim).narrow(0, 0, seg.ContextLength);
                o = F.scaled_dot_product_attention(qs, ExpandKvHeads(ctx.select(1, 0)), ExpandKvHeads(ctx.select(1, 1)), seg.Mask);
            }
            parts.Add(o.squeeze(0).transpose(0, 1).reshape(seg.Length, numHeads * headDim));
        }
        return parts.Count == 1 ? parts[0] : torch.cat(parts, 0);
    }

    /// <summary>One query per row ([rows, kvHeads, groups, headDim]) over its rows' blocks, padded to the group's longest.</summary>
    Tensor DecodeAttention(Tensor q, DecodeGroup g, Tensor blocks, int blockSize)
    {
        var ctx = blocks.index_select(0, g.Blocks).view(g.Count, g.MaxBlocks * blockSize, 2, numKvHeads, headDim);
        var keys = ctx.select(2, 0).transpose(1, 2);
        var values = ctx.select(2, 1).transpose(1, 2);
        return F.scaled_dot_product_attention(q, keys, values, g.Mask);
    }

    /// <summary>[tokens, kvHeads, headDim] → [1, heads, tokens, headDim], each KV head repeated for its query group.</summary>
    Tensor ExpandKvHeads(Tensor x)
    {
        var t = x.shape[0];
        var expanded = groups == 1 ? x : x.unsqueeze(2).expand(t, numKvHeads, groups, headDim).reshape(t, numHeads, headDim);
        return expanded.transpose(0, 1).unsqueeze(0);
    }

    Tensor RmsNorm(Tensor x, Tensor weight)
    {
        // Normalise in float32 whatever the model dtype, as the reference implementations do.
        if (x.dtype == ScalarType.Float32)
        {
            var inv = x.pow(Two).mean([-1L], keepdim: true).add_(epsScalar, One).rsqrt_();
            return x.mul(inv).mul_(weight);
        }
        var x32 = x.to(ScalarType.Float32);
        var inv32 = x32.pow(Two).mean([-1L], keepdim: true).add_(epsScalar, One).rsqrt_();
        return x32.mul_(inv32).to(x.dtype).mul_(weight);
    }

    public void Dispose()
    {
        rope.Dispose();
        weights.Dispose();
    }
}
