using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>
/// A prefill mode of colocated workers (--prefill-layer-groups, --prefill-chunk-tokens) through the whole path:
/// concurrent requests still get exactly one engine's output.
/// </summary>
public abstract class PrefillModeTests(GatewayHost host)
{
    [Fact]
    public async Task ConcurrentCompletions_MatchASingleEngine()
    {
        string[] prompts = ["Once upon a time", "Layered prefill lets decodes run while a long prompt is computed group by group.", "KV"];
        using var reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 16L << 20 });
        var expected = prompts.Select(p => reference.Tokenizer!.Decode(reference.Generate([reference.Encode(p)], SamplingParams.Greedy(24) with { IgnoreEos = true })[0])).ToArray();

        var answers = await Task.WhenAll(prompts.Select(p => host.PostAsync("/v1/completions", new { prompt = p, max_tokens = 24, temperature = 0, ignore_eos = true })));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(expected, answers.Select(a => a.Body.GetProperty("choices")[0].GetProperty("text").GetString()));
    }
}
