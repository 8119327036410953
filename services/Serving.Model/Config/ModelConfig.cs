using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.Model.Config;

/// <summary>The architecture hyper-parameters of a Llama-family checkpoint, read from its <c>config.json</c>.</summary>
public sealed record ModelConfig
{
    public required string ModelType { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int VocabSize { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    public RopeScaling? RopeScaling { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public bool AttentionBias { get; init; }
    public string TorchDtype { get; init; } = "float32";
    public int? SlidingWindow { get; init; }
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    static readonly HashSet<string> SupportedTypes = ["llama", "mistral", "qwen2"];

    public static ModelConfig Load(string modelFolder)
    {
        var path = Path.Combine(modelFolder, "config.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No config.json in model folder '{modelFolder}'.", path);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static ModelConfig Parse(string json)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("config.json is not a JSON object.");
        var modelType = root["model_type"]?.GetValue<string>() ?? "llama";
        if (!SupportedTypes.Contains(modelType))
            throw new NotSupportedException($"model_type '{modelType}' is not supported (supported: {string.Join(", ", SupportedTypes)}).");

        int Req(string key) => root[key]?.GetValue<int>() ?? throw new InvalidDataException($"config.json lacks '{key}'.");
        var hidden = Req("hidden_size");
        var heads = Req("num_attention_heads");
        var act = root["hidden_act"]?.GetValue<string>() ?? "silu";
        if (act != "silu")
            throw new NotSupportedException($"hidden_act '{act}' is not supported (only silu).");

        return new ModelConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = Req("intermediate_size"),
            NumLayers = Req("num_hidden_layers"),
            NumHeads = heads,
            NumKvHeads = root["num_key_value_heads"]?.GetValue<int>() ?? heads,
            HeadDim = root["head_dim"]?.GetValue<int?>() ?? hidden / heads,
            VocabSize = Req("vocab_size"),
            MaxPositionEmbeddings = root["max_position_embeddings"]?.GetValue<int>() ?? 2048,
            RmsNormEps = root["rms_norm_eps"]?.GetValue<double>() ?? 1e-5,
            RopeTheta = root["rope_theta"]?.GetValue<double>() ?? 10000.0,
            RopeScaling = Config.RopeScaling.Parse(root["rope_scaling"] as JsonObject),
            TieWordEmbeddings = root["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            // Qwen2 always has q/k/v biases; Llama exposes the switch as attention_bias.
            AttentionBias = modelType == "qwen2" || (root["attention_bias"]?.GetValue<bool>() ?? false),
            TorchDtype = root["torch_dtype"]?.GetValue<string>() ?? root["dtype"]?.GetValue<string>() ?? "float32",
            SlidingWindow = root["use_sliding_window"]?.GetValue<bool>() == false ? null : root["sliding_window"]?.GetValue<int?>(),
            BosTokenId = root["bos_token_id"]?.GetValue<int?>(),
            EosTokenIds = ReadIds(root["eos_token_id"]),
        };
    }

    internal static IReadOnlyList<int> ReadIds(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(x => x!.GetValue<int>()).ToArray(),
        _ => [node.GetValue<int>()],
    };

    /// <summary>Longest sequence the engine serves: positions, clipped to the sliding window where the model has one.</summary>
    public int MaxModelLength => SlidingWindow is { } w && w < MaxPositionEmbeddings ? w : MaxPositionEmbeddings;

    public int QSize => NumHeads * HeadDim;
    public int KvSize => NumKvHeads * HeadDim;
}
