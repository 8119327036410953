using Serving.Engine.Checkpoint;
using Serving.Engine.DefaultModel;
using Serving.Engine.Engine;
using Serving.Engine.Sampling;

namespace Serving.Engine.Tests.Engine;

public sealed class CheckpointEngineTests
{
    static EngineOptions Cpu(string? path, string dtype = "float32") => new() { ModelPath = path, Device = "cpu", DType = dtype, KvCacheBytes = 16L << 20 };

    public static TheoryData<string> Families => ["Llama2Like", "Llama3Like", "MistralLike", "TinyLlamaLike", "Qwen2Like"];

    [Theory]
    [MemberData(nameof(Families))]
    public void FamilyConfigurations_LoadAndGenerate_InEveryDtype(string family)
    {
        var spec = (TinyModelSpec)typeof(TinyModelSpec).GetProperty(family)!.GetValue(null)!;
        var folder = Directory.CreateTempSubdirectory("serving-family-").FullName;
        try
        {
            TinyModelWriter.Write(folder, spec);
            foreach (var dtype in new[] { "float32", "bfloat16", "float16" })
            {
                using var engine = LlmEngine.Create(Cpu(folder, dtype));
                Assert.Equal(spec.AttentionBias, engine.Config.AttentionBias);
                var prompt = engine.Encode("Hello, world");
                var output = engine.Generate([prompt], SamplingParams.Greedy(8) with { IgnoreEos = true })[0];
                Assert.Equal(8, output.Count);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void DefaultModel_GeneratesText_AndStopStringsAreNotEmitted()
    {
        using var engine = LlmEngine.Create(Cpu(null));
        var prompt = engine.Encode("The quick brown fox");
        var greedy = SamplingParams.Greedy(24) with { IgnoreEos = true };

        engine.AddRequest("free", prompt, greedy);
        var text = Drain(engine);
        Assert.Equal(engine.Tokenizer!.Decode(engine.Generate([prompt], greedy)[0]), text);
        Assert.True(text.Length > 10, $"expected some text, got '{text}'");

        // Pick a stop string from the middle of the free-running text: the output must end right before it.
        var stop = text.Substring(text.Length / 2, 3);
        engine.AddRequest("stopped", prompt, greedy with { Stop = [stop] });
        var stopped = Drain(engine);
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], stopped);
    }

    [Fact]
    public void CheckpointWithAMisshapedTensor_NamesItAndBothShapes()
    {
        var folder = Directory.CreateTempSubdirectory("serving-bad-").FullName;
        try
        {
            var spec = TinyModelSpec.Llama2Like;
            TinyModelWriter.Write(folder, spec);
            var config = Path.Combine(folder, "config.json");
            File.WriteAllText(config, File.ReadAllText(config).Replace($"\"intermediate_size\": {spec.Intermediate}", $"\"intermediate_size\": {spec.Intermediate + 8}"));
            var e = Assert.Throws<CheckpointException>(() => LlmEngine.Create(Cpu(folder)));
            Assert.Contains("mlp.gate_proj.weight", e.Message);
            Assert.Contains((spec.Intermediate + 8).ToString(), e.Message);
            Assert.Contains(spec.Intermediate.ToString(), e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static string Drain(LlmEngine engine)
    {
        var text = "";
        while (engine.HasUnfinishedRequests)
            text += string.Concat(engine.Step().Select(o => o.NewText));
        return text;
    }
}
