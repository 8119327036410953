using Serving.Model.Config;

namespace Serving.Engine.Tests.Config;

/// <summary>The config.json files of the model families we serve, as their publishers ship them.</summary>
public sealed class ModelConfigTests
{
    const string Llama2_7B = """
        {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096,
         "initializer_range": 0.02, "intermediate_size": 11008, "max_position_embeddings": 4096, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": null, "tie_word_embeddings": false, "torch_dtype": "float16", "transformers_version": "4.31.0.dev0",
         "use_cache": true, "vocab_size": 32000}
        """;

    const string Llama31_8B = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
         "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
         "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 128256}
        """;

    const string Mistral_7B = """
        {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096,
         "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
         "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
         "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 32000}
        """;

    const string TinyLlama = """
        {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 2048,
         "initializer_range": 0.02, "intermediate_size": 5632, "max_position_embeddings": 2048, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 32000}
        """;

    const string Qwen2_05B = """
        {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
         "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864, "max_position_embeddings": 131072,
         "max_window_layers": 24, "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
         "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 131072, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
         "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
        """;

    [Fact]
    public void Llama2_Parses_WithFullMultiHeadAttention()
    {
        var c = ModelConfig.Parse(Llama2_7B);
        Assert.Equal((32, 32, 128, 4096), (c.NumHeads, c.NumKvHeads, c.HeadDim, c.MaxModelLength));
        Assert.Null(c.RopeScaling);
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal([2], c.EosTokenIds);
    }

    [Fact]
    public void Llama31_Parses_WithLlama3RopeScaling_AndSeveralEosIds()
    {
        var c = ModelConfig.Parse(Llama31_8B);
        Assert.Equal(new RopeScaling(8.0, 1.0, 4.0, 8192), c.RopeScaling);
        Assert.Equal(500000.0, c.RopeTheta);
        Assert.Equal([128001, 128008, 128009], c.EosTokenIds);
        Assert.Equal(8, c.NumKvHeads);
    }

    [Fact]
    public void Llama3RopeScaling_KeepsHighFrequencies_AndSlowsLowOnes()
    {
        var scaling = ModelConfig.Parse(Llama31_8B).RopeScaling!;
        var invFreq = Enumerable.Range(0, 64).Select(i => 1.0 / Math.Pow(500000.0, 2.0 * i / 128)).ToArray();
        var scaled = scaling.Apply(invFreq);
        Assert.Equal(invFreq[0], scaled[0]);              // wavelength 2π: far below 8192/4
        Assert.Equal(invFreq[63] / 8.0, scaled[63], 12);  // wavelength far above 8192/1
        var mid = Enumerable.Range(0, 64).First(i => 2 * Math.PI / invFreq[i] is > 2048 and < 8192);
        Assert.InRange(scaled[mid], invFreq[mid] / 8.0, invFreq[mid]);
    }

    [Fact]
    public void Mistral_ClipsTheContextToItsSlidingWindow()
    {
        var c = ModelConfig.Parse(Mistral_7B);
        Assert.Equal("mistral", c.ModelType);
        Assert.Equal(4096, c.MaxModelLength);
    }

    [Fact]
    public void TinyLlama_Parses_WithGroupedQueryAttention()
    {
        var c = ModelConfig.Parse(TinyLlama);
        Assert.Equal((32, 4, 64, 22), (c.NumHeads, c.NumKvHeads, c.HeadDim, c.NumLayers));
    }

    [Fact]
    public void Qwen2_HasQkvBiases_TiedEmbeddings_AndNoSlidingWindowWhenDisabled()
    {
        var c = ModelConfig.Parse(Qwen2_05B);
        Assert.True(c.AttentionBias);
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal(64, c.HeadDim);
        Assert.Equal(131072, c.MaxModelLength);
        Assert.Equal(1e-6, c.RmsNormEps);
    }

    [Theory]
    [InlineData("""{"model_type": "gpt2", "hidden_size": 8}""", "gpt2")]
    [InlineData("""{"model_type": "llama", "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 16, "num_hidden_layers": 1, "vocab_size": 10, "hidden_act": "gelu"}""", "gelu")]
    [InlineData("""{"model_type": "llama", "num_attention_heads": 2}""", "hidden_size")]
    public void UnsupportedOrIncompleteConfigs_AreRefusedByName(string json, string named)
    {
        var e = Assert.ThrowsAny<Exception>(() => ModelConfig.Parse(json));
        Assert.Contains(named, e.Message);
    }
}
