using System.IO.Hashing;
using System.Text;
using Serving.Model.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>All weights of a Llama-family model on one device, in the engine's dtype.</summary>
internal sealed class LlamaWeights : IDisposable
{
    public required Tensor Embed { get; init; }
    public required LayerWeights[] Layers { get; init; }
    public required Tensor FinalNorm { get; init; }
    public required Tensor LmHead { get; init; }

    /// <summary>The Hugging Face tensor names and shapes this config requires.</summary>
    public static Dictionary<string, long[]> ExpectedShapes(ModelConfig c)
    {
        var shapes = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [c.VocabSize, c.HiddenSize],
            ["model.norm.weight"] = [c.HiddenSize],
        };
        if (!c.TieWordEmbeddings)
            shapes["lm_head.weight"] = [c.VocabSize, c.HiddenSize];
        for (var i = 0; i < c.NumLayers; i++)
        {
            var p = $"model.layers.{i}.";
            shapes[p + "input_layernorm.weight"] = [c.HiddenSize];
            shapes[p + "post_attention_layernorm.weight"] = [c.HiddenSize];
            shapes[p + "self_attn.q_proj.weight"] = [c.QSize, c.HiddenSize];
            shapes[p + "self_attn.k_proj.weight"] = [c.KvSize, c.HiddenSize];
            shapes[p + "self_attn.v_proj.weight"] = [c.KvSize, c.HiddenSize];
            shapes[p + "self_attn.o_proj.weight"] = [c.HiddenSize, c.QSize];
            shapes[p + "mlp.gate_proj.weight"] = [c.IntermediateSize, c.HiddenSize];
            shapes[p + "mlp.up_proj.weight"] = [c.IntermediateSize, c.HiddenSize];
            shapes[p + "mlp.down_proj.weight"] = [c.HiddenSize, c.IntermediateSize];
            if (c.AttentionBias)
            {
                shapes[p + "self_attn.q_proj.bias"] = [c.QSize];
                shapes[p + "self_attn.k_proj.bias"] = [c.KvSize];
                shapes[p + "self_attn.v_proj.bias"] = [c.KvSize];
            }
        }
        return shapes;
    }

    public static LlamaWeights Load(IWeightSource source, ModelConfig c, ScalarType dtype, Device device)
    {
        source.Validate(ExpectedShapes(c));
        Tensor Get(string name) => source.Load(name, dtype).to(device);
        Tensor Fused(params string[] names)
        {
            var parts = names.Select(n => source.Load(n, dtype)).ToArray();
            var fused = torch.cat(parts, 0).to(device);
            foreach (var p in parts)
                p.Dispose();
            return fused;
        }

        var layers = new LayerWeights[c.NumLayers];
        for (var i = 0; i < c.NumLayers; i++)
        {
            var p = $"model.layers.{i}.";
            layers[i] = new LayerWeights(
                Get(p + "input_layernorm.weight"),
                Fused(p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"),
                c.AttentionBias ? Fused(p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias") : null,
                Get(p + "self_attn.o_proj.weight"),
                Get(p + "post_attention_layernorm.weight"),
                Fused(p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"),
                Get(p + "mlp.down_proj.weight"));
        }
        var embed = Get("model.embed_tokens.weight");
        return new LlamaWeights
        {
            Embed = embed,
            Layers = layers,
            FinalNorm = Get("model.norm.weight"),
            LmHead = c.TieWordEmbeddings ? embed : Get("lm_head.weight"),
        };
    }

    /// <summary>Identifies the architecture and the weights (by the first embedding row) so two engines can check they match.</summary>
    public string Fingerprint(ModelConfig config)
    {
        var hasher = new XxHash64();
        hasher.Append(Encoding.UTF8.GetBytes((config with { EosTokenIds = [] }).ToString()));
        using var row = Embed.narrow(0, 0, 1).to(ScalarType.Float32).cpu().contiguous();
        hasher.Append(row.bytes);
        return Convert.ToHexString(hasher.GetCurrentHash()).ToLowerInvariant();
    }

    public void Dispose()
    {
        foreach (var l in Layers)
            l.Dispose();
        if (!ReferenceEquals(LmHead, Embed))
            LmHead.Dispose();
        Embed.Dispose();
        FinalNorm.Dispose();
    }
}
