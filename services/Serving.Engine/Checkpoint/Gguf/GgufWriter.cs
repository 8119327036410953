using System.Text.Json;
using Serving.Model.Tokenization;
using TorchSharp;

namespace Serving.Engine.Checkpoint.Gguf;

/// <summary>
/// Converts a Hugging Face Llama/Mistral checkpoint folder with a byte-level BPE tokenizer.json into an F32
/// GGUF v3 file that llama.cpp loads as architecture "llama".
/// </summary>
public static class GgufWriter
{
    private const int TokenNormal = 1, TokenControl = 3, TokenUserDefined = 4, TokenUnused = 5;

    public static void Write(string modelFolder, string outputPath)
    {
        using var configDoc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(modelFolder, "config.json")));
        var config = configDoc.RootElement;
        string modelType = config.GetProperty("model_type").GetString() ?? "";
        if (modelType is not ("llama" or "mistral"))
            throw new NotSupportedException($"{modelFolder}: model_type '{modelType}' has no GGUF mapping here (llama and mistral only)");
        if (config.TryGetProperty("rope_scaling", out var scaling) && scaling.ValueKind != JsonValueKind.Null)
            throw new NotSupportedException($"{modelFolder}: rope_scaling needs a rope_freqs tensor, which this writer does not produce");

        int hidden = config.GetProperty("hidden_size").GetInt32();
        int heads = config.GetProperty("num_attention_heads").GetInt32();
        int kvHeads = config.TryGetProperty("num_key_value_heads", out var kv) ? kv.GetInt32() : heads;
        int layers = config.GetProperty("num_hidden_layers").GetInt32();
        int vocab = config.GetProperty("vocab_size").GetInt32();
        int headDim = config.TryGetProperty("head_dim", out var hd) && hd.ValueKind == JsonValueKind.Number ? hd.GetInt32() : hidden / heads;
        if (headDim * heads != hidden)
            throw new NotSupportedException($"{modelFolder}: head_dim {headDim} × {heads} heads != hidden {hidden}");

        var gguf = new GgufFileBuilder();
        gguf.AddString("general.architecture", "llama");
        gguf.AddString("general.name", Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelFolder))));
        gguf.AddUInt32("general.file_type", 0); // ALL_F32
        gguf.AddUInt32("llama.context_length", (uint)config.GetProperty("max_position_embeddings").GetInt32());
        gguf.AddUInt32("llama.embedding_length", (uint)hidden);
        gguf.AddUInt32("llama.block_count", (uint)layers);
        gguf.AddUInt32("llama.feed_forward_length", (uint)config.GetProperty("intermediate_size").GetInt32());
        gguf.AddUInt32("llama.rope.dimension_count", (uint)headDim);
        gguf.AddFloat32("llama.rope.freq_base", config.TryGetProperty("rope_theta", out var theta) ? theta.GetSingle() : 10000f);
        gguf.AddUInt32("llama.attention.head_count", (uint)heads);
        gguf.AddUInt32("llama.attention.head_count_kv", (uint)kvHeads);
        gguf.AddFloat32("llama.attention.layer_norm_rms_epsilon", config.GetProperty("rms_norm_eps").GetSingle());
        gguf.AddUInt32("llama.vocab_size", (uint)vocab);
        AddTokenizer(gguf, modelFolder, vocab);

        using var reader = CheckpointReader.Open(modelFolder);
        AddTensors(gguf, reader, layers, heads, kvHeads);
        gguf.Write(outputPath);
    }

    private static void AddTokenizer(GgufFileBuilder gguf, string modelFolder, int vocab)
    {
        string path = Path.Combine(modelFolder, "tokenizer.json");
        var json = File.Exists(path) ? HfTokenizerJson.TryLoad(path, out string reason) : null;
        if (json is null)
            throw new NotSupportedException($"{modelFolder}: GGUF export needs a byte-level BPE tokenizer.json");
        var tokenizer = TextTokenizer.Load(modelFolder);

        // llama.cpp wants exactly one token per embedding row; rows past the tokenizer become unused pads.
        var tokens = new string[vocab];
        var types = new int[vocab];
        for (int id = 0; id < vocab; id++)
        {
            tokens[id] = $"[PAD{id}]";
            types[id] = TokenUnused;
        }
        foreach (var (token, id) in json.Vocab)
        {
            if (id >= vocab) throw new NotSupportedException($"{modelFolder}: token id {id} is beyond vocab_size {vocab}");
            tokens[id] = token;
            types[id] = TokenNormal;
        }
        foreach (var added in json.AddedTokens)
        {
            if (added.Id >= vocab) throw new NotSupportedException($"{modelFolder}: token id {added.Id} is beyond vocab_size {vocab}");
            tokens[added.Id] = added.Content;
            types[added.Id] = added.Special ? TokenControl : TokenUserDefined;
        }

        gguf.AddString("tokenizer.ggml.model", "gpt2");
        gguf.AddString("tokenizer.ggml.pre", json.SplitPattern switch
        {
            PreTokenizerPatterns.Llama3 => "llama-bpe",
            PreTokenizerPatterns.Qwen2 => "qwen2",
            _ => "gpt-2",
        });
        gguf.AddStringArray("tokenizer.ggml.tokens", tokens);
        gguf.AddInt32Array("tokenizer.ggml.token_type", types);
        gguf.AddStringArray("tokenizer.ggml.merges", json.Merges);
        if (tokenizer.BosTokenId is { } bos) gguf.AddUInt32("tokenizer.ggml.bos_token_id", (uint)bos);
        if (tokenizer.EosTokenIds.Count > 0) gguf.AddUInt32("tokenizer.ggml.eos_token_id", (uint)tokenizer.EosTokenIds.Min());
        gguf.AddBool("tokenizer.ggml.add_bos_token", tokenizer.AddsBos);
        gguf.AddBool("tokenizer.ggml.add_eos_token", false);
    }

    private static void AddTensors(GgufFileBuilder gguf, CheckpointReader reader, int layers, int heads, int kvHeads)
    {
        bool tied = !reader.Contains("lm_head.weight");
        var mapped = new HashSet<string>(StringComparer.Ordinal);
        void Add(string hfName, string ggufName, int permuteHeads = 0)
        {
            var shape = reader.Info(hfName).Shape;
            gguf.AddTensor(ggufName, shape, () =>
            {
                var tensor = reader.Load(hfName, torch.ScalarType.Float32);
                if (permuteHeads == 0) return tensor;
                using (tensor) return InterleaveRotaryHalves(tensor, permuteHeads);
            });
            mapped.Add(hfName);
        }
        void AddIfPresent(string hfName, string ggufName, int permuteHeads = 0)
        {
            if (reader.Contains(hfName)) Add(hfName, ggufName, permuteHeads);
        }

        Add("model.embed_tokens.weight", "token_embd.weight");
        for (int i = 0; i < layers; i++)
        {
            string hf = $"model.layers.{i}.", blk = $"blk.{i}.";
            Add(hf + "input_layernorm.weight", blk + "attn_norm.weight");
            Add(hf + "self_attn.q_proj.weight", blk + "attn_q.weight", heads);
            Add(hf + "self_attn.k_proj.weight", blk + "attn_k.weight", kvHeads);
            Add(hf + "self_attn.v_proj.weight", blk + "attn_v.weight");
            AddIfPresent(hf + "self_attn.q_proj.bias", blk + "attn_q.bias", heads);
            AddIfPresent(hf + "self_attn.k_proj.bias", blk + "attn_k.bias", kvHeads);
            AddIfPresent(hf + "self_attn.v_proj.bias", blk + "attn_v.bias");
            Add(hf + "self_attn.o_proj.weight", blk + "attn_output.weight");
            Add(hf + "post_attention_layernorm.weight", blk + "ffn_norm.weight");
            Add(hf + "mlp.gate_proj.weight", blk + "ffn_gate.weight");
            Add(hf + "mlp.up_proj.weight", blk + "ffn_up.weight");
            Add(hf + "mlp.down_proj.weight", blk + "ffn_down.weight");
        }
        Add("model.norm.weight", "output_norm.weight");
        // Tied models omit output.weight; llama.cpp then reuses token_embd.
        if (!tied) Add("lm_head.weight", "output.weight");

        var unmapped = reader.Names.Where(n => !mapped.Contains(n) && !n.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)).ToList();
        if (unmapped.Count > 0)
            throw new NotSupportedException($"{reader.Folder}: tensors with no GGUF name: {string.Join(", ", unmapped.Order(StringComparer.Ordinal))}");
    }

    /// <summary>
    /// Reorders each head's rows from HF's rotate_half layout (first half, second half) to llama.cpp's adjacent
    /// pairs: view rows as [heads, 2, head_dim/2], swap the middle axes, flatten back. Works for weights and biases.
    /// </summary>
    internal static torch.Tensor InterleaveRotaryHalves(torch.Tensor tensor, int heads)
    {
        long rows = tensor.shape[0];
        long headDim = rows / heads;
        var rest = tensor.shape.Skip(1).ToArray();
        using var split = tensor.reshape([heads, 2, headDim / 2, .. rest]);
        using var swapped = split.transpose(1, 2);
        return swapped.reshape(tensor.shape).contiguous();
    }
}
