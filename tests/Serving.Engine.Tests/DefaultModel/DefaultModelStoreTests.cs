using System.Text.Json.Nodes;
using Serving.Engine.Checkpoint;
using Serving.Engine.DefaultModel;

namespace Serving.Engine.Tests.DefaultModel;

public sealed class DefaultModelStoreTests
{
    [Fact]
    public void EnsureDefault_WritesCompleteHuggingFaceFolderUnder100MB()
    {
        string folder = DefaultModelFixture.Folder;
        Assert.Equal(DefaultModelStore.FolderName, Path.GetFileName(folder));
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        long size = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
        Assert.InRange(size, 10_000_000, 100_000_000);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        Assert.Equal("LlamaForCausalLM", (string?)config["architectures"]![0]);
        Assert.Equal(256, (int?)config["hidden_size"]);
        Assert.Equal(704, (int?)config["intermediate_size"]);
        Assert.Equal(8, (int?)config["num_hidden_layers"]);
        Assert.Equal(4, (int?)config["num_attention_heads"]);
        Assert.Equal(2, (int?)config["num_key_value_heads"]);
        Assert.Equal(50257, (int?)config["vocab_size"]);
        Assert.True((bool?)config["tie_word_embeddings"]);

        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        Assert.Contains("<|im_start|>", (string?)tokenizerConfig["chat_template"]);
        Assert.False((bool?)tokenizerConfig["add_bos_token"]);

        using var reader = CheckpointReader.Open(folder);
        reader.Validate(TinyModelWriter.ExpectedShapes(TinyModelSpec.Default));
        Assert.All(reader.Names, n => Assert.Equal(SafeTensorDType.F32, reader.Info(n).DType));
    }

    [Fact]
    public void EnsureDefault_ExistingFolder_IsReturnedWithoutRewriting()
    {
        using var root = new TempFolder();
        string folder = Path.Combine(root.Path, DefaultModelStore.FolderName);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "marker"), "x");

        Assert.Equal(folder, DefaultModelStore.EnsureDefault(root.Path));
        Assert.Equal(["marker"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal([folder], Directory.GetDirectories(root.Path));
    }

    [Fact]
    public void DefaultWeights_AreSeededAndScaledAsDocumented()
    {
        using var reader = CheckpointReader.Open(DefaultModelFixture.Folder);
        using var embed = reader.Load("model.embed_tokens.weight", TorchSharp.torch.ScalarType.Float32);
        using var norm = reader.Load("model.layers.0.input_layernorm.weight", TorchSharp.torch.ScalarType.Float32);
        using var q = reader.Load("model.layers.0.self_attn.q_proj.weight", TorchSharp.torch.ScalarType.Float32);

        Assert.InRange(embed.std().item<float>(), 0.099f, 0.101f);
        Assert.InRange(norm.mean().item<float>(), 0.97f, 1.03f);
        Assert.InRange(norm.std().item<float>(), 0.08f, 0.12f);
        Assert.InRange(q.std().item<float>(), 0.06f, 0.065f); // 1/sqrt(256) = 0.0625

        // Pinned values: the generator is ours, so these never move with library versions.
        var expected = new SeededGaussianProbe(TinyModelSpec.Default.Seed, "model.embed_tokens.weight").First(3, 0.1);
        Assert.Equal(expected, embed.flatten()[..3].data<float>().ToArray());
    }

    private sealed class SeededGaussianProbe(ulong seed, string name)
    {
        public float[] First(int count, double std) => SeededGaussian.ForTensor(seed, name).Fill(count, 0, std);
    }
}
