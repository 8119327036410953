using Serving.Engine.Checkpoint;
using Serving.Engine.DefaultModel;
using Serving.Engine.Core;
using Serving.Model.Requests;
using Serving.Model.Sampling;

namespace Serving.Engine.Tests.Core;

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

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void ResumedOnAnotherEngine_TheRequestContinuesExactly(int cut)
    {
        using var first = LlmEngine.Create(Cpu(null));
        using var second = LlmEngine.Create(Cpu(null));
        var prompt = first.Encode("Resuming a request elsewhere");
        var sampling = new SamplingParams
        {
            Temperature = 0.8, TopP = 0.95, Seed = 99, MaxTokens = 24, IgnoreEos = true,
            FrequencyPenalty = 0.7, PresencePenalty = 0.2, RepetitionPenalty = 1.2, Logprobs = 1,
        };

        first.AddRequest("whole", prompt, sampling);
        var whole = Collect(first);

        // The first engine "fails" after `cut` tokens; the client has their text. The second picks up from there.
        var emitted = string.Concat(whole.Take(cut).Select(o => o.NewText));
        second.AddRequest("rest", prompt, sampling, resume: new ResumePoint(whole.Take(cut).SelectMany(o => o.NewTokenIds).ToArray(), emitted.Length));
        var rest = Collect(second);

        Assert.Equal(whole.Skip(cut).SelectMany(o => o.NewTokenIds), rest.SelectMany(o => o.NewTokenIds));
        Assert.Equal(string.Concat(whole.Select(o => o.NewText)), emitted + string.Concat(rest.Select(o => o.NewText)));
        Assert.Equal(whole[^1].OutputTokens, rest[^1].OutputTokens);
        Assert.Equal(second.NumTotalBlocks, second.NumFreeBlocks);
    }

    static List<RequestOutput> Collect(LlmEngine engine)
    {
        var outputs = new List<RequestOutput>();
        while (engine.HasUnfinishedRequests)
            outputs.AddRange(engine.Step());
        return outputs;
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
