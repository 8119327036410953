using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Engine.Checkpoint;
using TorchSharp;

namespace Serving.Engine.DefaultModel;

/// <summary>Writes a seeded random Llama-family checkpoint in Hugging Face layout.</summary>
public static class TinyModelWriter
{
    public const string ChatMlTemplate =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes config, weights and tokenizer files of <paramref name="spec"/> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, TinyModelSpec spec)
    {
        if (spec.Hidden % spec.Heads != 0 || spec.Heads % spec.KvHeads != 0 || spec.HeadDim % 2 != 0)
            throw new ArgumentException("hidden must split into an even head_dim and heads into kv groups", nameof(spec));
        Directory.CreateDirectory(folder);
        var tensors = CreateWeights(spec);
        try
        {
            SafeTensorsWriter.Write(Path.Combine(folder, CheckpointReader.SingleFileName), tensors,
                new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        int specialId = spec.Vocab - 1;
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.json"), Gpt2TokenizerJson.Build(spec.Vocab));
        WriteJson(folder, "config.json", Config(spec, specialId));
        WriteJson(folder, "tokenizer_config.json", new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["bos_token"] = Gpt2TokenizerJson.EndOfText,
            ["eos_token"] = Gpt2TokenizerJson.EndOfText,
            ["unk_token"] = Gpt2TokenizerJson.EndOfText,
            ["add_bos_token"] = false,
            ["add_eos_token"] = false,
            ["model_max_length"] = spec.MaxPositions,
            ["chat_template"] = ChatMlTemplate,
        });
        WriteJson(folder, "generation_config.json", new JsonObject
        {
            ["bos_token_id"] = specialId,
            ["eos_token_id"] = specialId,
            ["do_sample"] = false,
        });
    }

    /// <summary>The tensor names and [out, in] shapes a checkpoint of <paramref name="spec"/> holds.</summary>
    public static IReadOnlyDictionary<string, long[]> ExpectedShapes(TinyModelSpec spec)
    {
        long h = spec.Hidden, q = spec.Heads * spec.HeadDim, kv = spec.KvHeads * spec.HeadDim, ff = spec.Intermediate;
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal) { ["model.embed_tokens.weight"] = [spec.Vocab, h] };
        for (int i = 0; i < spec.Layers; i++)
        {
            string p = $"model.layers.{i}.";
            shapes[p + "input_layernorm.weight"] = [h];
            shapes[p + "self_attn.q_proj.weight"] = [q, h];
            shapes[p + "self_attn.k_proj.weight"] = [kv, h];
            shapes[p + "self_attn.v_proj.weight"] = [kv, h];
            if (spec.AttentionBias)
            {
                shapes[p + "self_attn.q_proj.bias"] = [q];
                shapes[p + "self_attn.k_proj.bias"] = [kv];
                shapes[p + "self_attn.v_proj.bias"] = [kv];
            }
            shapes[p + "self_attn.o_proj.weight"] = [h, q];
            shapes[p + "post_attention_layernorm.weight"] = [h];
            shapes[p + "mlp.gate_proj.weight"] = [ff, h];
            shapes[p + "mlp.up_proj.weight"] = [ff, h];
            shapes[p + "mlp.down_proj.weight"] = [h, ff];
        }
        shapes["model.norm.weight"] = [h];
        if (!spec.TieEmbeddings) shapes["lm_head.weight"] = [spec.Vocab, h];
        return shapes;
    }

    // Scales keep the residual stream O(1) and logits spread by O(1) so greedy picks are not near-ties:
    // embeddings N(0, 0.1²), linear N(0, 1/fan_in), norms 1 + 0.1·N(0,1) (a dropped norm shows), biases 0.1·N(0,1).
    private static Dictionary<string, torch.Tensor> CreateWeights(TinyModelSpec spec)
    {
        var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        var dtype = spec.DType.ToScalarType();
        foreach (var (name, shape) in ExpectedShapes(spec))
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var rng = SeededGaussian.ForTensor(spec.Seed, name);
            float[] values = name switch
            {
                "model.embed_tokens.weight" => rng.Fill(count, 0, 0.1),
                _ when name.EndsWith("norm.weight", StringComparison.Ordinal) => rng.Fill(count, 1, 0.1),
                _ when name.EndsWith(".bias", StringComparison.Ordinal) => rng.Fill(count, 0, 0.1),
                _ => rng.Fill(count, 0, 1.0 / Math.Sqrt(shape[1])),
            };
            var tensor = torch.tensor(values, shape);
            if (dtype != torch.ScalarType.Float32)
            {
                using var f32 = tensor;
                tensor = f32.to(dtype);
            }
            tensors[name] = tensor;
        }
        return tensors;
    }

    private static JsonObject Config(TinyModelSpec spec, int specialId)
    {
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(spec.Architecture),
            ["model_type"] = spec.ModelType,
            ["hidden_size"] = spec.Hidden,
            ["intermediate_size"] = spec.Intermediate,
            ["num_hidden_layers"] = spec.Layers,
            ["num_attention_heads"] = spec.Heads,
            ["num_key_value_heads"] = spec.KvHeads,
            ["head_dim"] = spec.HeadDim,
            ["vocab_size"] = spec.Vocab,
            ["max_position_embeddings"] = spec.MaxPositions,
            ["rms_norm_eps"] = spec.RmsNormEps,
            ["rope_theta"] = spec.RopeTheta,
            ["tie_word_embeddings"] = spec.TieEmbeddings,
            ["attention_bias"] = spec.AttentionBias,
            ["torch_dtype"] = spec.DType switch
            {
                SafeTensorDType.BF16 => "bfloat16",
                SafeTensorDType.F16 => "float16",
                _ => "float32",
            },
            ["bos_token_id"] = specialId,
            ["eos_token_id"] = specialId,
            ["hidden_act"] = "silu",
        };
        if (spec.SlidingWindow is { } window) config["sliding_window"] = window;
        if (spec.RopeScaling is { } rs)
        {
            config["rope_scaling"] = new JsonObject
            {
                ["rope_type"] = rs.RopeType,
                ["factor"] = rs.Factor,
                ["low_freq_factor"] = rs.LowFreqFactor,
                ["high_freq_factor"] = rs.HighFreqFactor,
                ["original_max_position_embeddings"] = rs.OriginalMaxPositionEmbeddings,
            };
        }
        return config;
    }

    private static void WriteJson(string folder, string name, JsonObject value) =>
        File.WriteAllText(Path.Combine(folder, name), value.ToJsonString(Indented) + "\n");
}
