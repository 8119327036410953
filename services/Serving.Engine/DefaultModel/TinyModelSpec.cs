using Serving.Engine.Checkpoint;

namespace Serving.Engine.DefaultModel;

/// <summary>Shape and flavour of a generated tiny checkpoint; <see cref="Default"/> is the project's default model.</summary>
public sealed record TinyModelSpec
{
    public string ModelType { get; init; } = "llama";
    public string Architecture { get; init; } = "LlamaForCausalLM";
    public int Layers { get; init; } = 8;
    public int Hidden { get; init; } = 256;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 2;
    public int Intermediate { get; init; } = 704;
    /// <summary>Embedding rows; the tokenizer is GPT-2's first Vocab-1 tokens plus &lt;|endoftext|&gt; as the last id.</summary>
    public int Vocab { get; init; } = 50257;
    public int MaxPositions { get; init; } = 4096;
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    public bool TieEmbeddings { get; init; } = true;
    /// <summary>q/k/v projection biases (Qwen2).</summary>
    public bool AttentionBias { get; init; }
    public RopeScalingSpec? RopeScaling { get; init; }
    /// <summary>Sliding window written to config.json (Mistral); null writes none.</summary>
    public int? SlidingWindow { get; init; }
    public SafeTensorDType DType { get; init; } = SafeTensorDType.F32;
    public ulong Seed { get; init; } = 20240601;

    public int HeadDim => Hidden / Heads;

    public static TinyModelSpec Default { get; } = new();

    /// <summary>Llama-2 shaped: multi-head attention, untied head.</summary>
    public static TinyModelSpec Llama2Like { get; } = Small with { KvHeads = 4, TieEmbeddings = false };

    /// <summary>Llama-3.1 shaped: GQA, untied head, rope_theta 500000 and llama3 rope scaling.</summary>
    public static TinyModelSpec Llama3Like { get; } = Small with
    {
        TieEmbeddings = false, RopeTheta = 500000.0, RopeScaling = new RopeScalingSpec(),
    };

    /// <summary>Mistral shaped: GQA, untied head, sliding window in config.</summary>
    public static TinyModelSpec MistralLike { get; } = Small with
    {
        ModelType = "mistral", Architecture = "MistralForCausalLM", TieEmbeddings = false, SlidingWindow = 4096,
    };

    /// <summary>TinyLlama shaped: 4:1 GQA, untied head.</summary>
    public static TinyModelSpec TinyLlamaLike { get; } = Small with { Heads = 8, KvHeads = 2, TieEmbeddings = false };

    /// <summary>Qwen2 shaped: q/k/v biases, tied embeddings, rope_theta 1e6, eps 1e-6.</summary>
    public static TinyModelSpec Qwen2Like { get; } = Small with
    {
        ModelType = "qwen2", Architecture = "Qwen2ForCausalLM", AttentionBias = true, RopeTheta = 1000000.0, RmsNormEps = 1e-6,
    };

    // Variants are small so tests that write them stay fast.
    private static TinyModelSpec Small => new() { Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, Intermediate = 160, Vocab = 1024 };
}
