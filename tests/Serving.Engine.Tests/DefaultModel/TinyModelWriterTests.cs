using System.Text.Json.Nodes;
using Serving.Engine.Checkpoint;
using Serving.Engine.DefaultModel;
using Serving.Model.Tokenization;
using TorchSharp;

namespace Serving.Engine.Tests.DefaultModel;

public sealed class TinyModelWriterTests
{
    public static TheoryData<string> Variants => new() { "Llama2Like", "Llama3Like", "MistralLike", "TinyLlamaLike", "Qwen2Like" };

    private static TinyModelSpec Variant(string name) => name switch
    {
        "Llama2Like" => TinyModelSpec.Llama2Like,
        "Llama3Like" => TinyModelSpec.Llama3Like,
        "MistralLike" => TinyModelSpec.MistralLike,
        "TinyLlamaLike" => TinyModelSpec.TinyLlamaLike,
        _ => TinyModelSpec.Qwen2Like,
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Write_Variant_ProducesMatchingCheckpointConfigAndTokenizer(string name)
    {
        var spec = Variant(name);
        using var dir = new TempFolder();
        TinyModelWriter.Write(dir.Path, spec);

        using var reader = CheckpointReader.Open(dir.Path);
        reader.Validate(TinyModelWriter.ExpectedShapes(spec));
        Assert.Equal(spec.AttentionBias, reader.Contains("model.layers.0.self_attn.q_proj.bias"));
        Assert.Equal(!spec.TieEmbeddings, reader.Contains("lm_head.weight"));

        var config = JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!;
        Assert.Equal(spec.ModelType, (string?)config["model_type"]);
        Assert.Equal(spec.RopeScaling is not null, config["rope_scaling"] is not null);

        var tokenizer = TextTokenizer.Load(dir.Path);
        Assert.Equal(spec.Vocab, tokenizer.VocabSize);
        Assert.Equal(new HashSet<int> { spec.Vocab - 1 }, tokenizer.EosTokenIds);
        var ids = tokenizer.Encode("Hello, wörld");
        Assert.All(ids, id => Assert.InRange(id, 0, spec.Vocab - 1));
        Assert.Equal("Hello, wörld", tokenizer.Decode(ids));
    }

    [Fact]
    public void Write_SameSpecTwice_IsByteIdentical()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        TinyModelWriter.Write(a.Path, TinyModelSpec.Qwen2Like);
        TinyModelWriter.Write(b.Path, TinyModelSpec.Qwen2Like);
        foreach (var file in Directory.GetFiles(a.Path).Select(Path.GetFileName))
            Assert.Equal(File.ReadAllBytes(a.File(file!)), File.ReadAllBytes(b.File(file!)));
    }

    [Theory]
    [InlineData(SafeTensorDType.BF16)]
    [InlineData(SafeTensorDType.F16)]
    public void Write_HalfPrecision_StoresRequestedDType(SafeTensorDType dtype)
    {
        using var dir = new TempFolder();
        TinyModelWriter.Write(dir.Path, TinyModelSpec.Llama2Like with { DType = dtype });
        using var reader = CheckpointReader.Open(dir.Path);
        Assert.All(reader.Names, n => Assert.Equal(dtype, reader.Info(n).DType));
        using var w = reader.Load("model.norm.weight", torch.ScalarType.Float32);
        Assert.InRange(w.mean().item<float>(), 0.9f, 1.1f);
    }
}
