using Serving.Model.Sampling;
using Serving.Engine.Tests.Support;

namespace Serving.Engine.Tests.Sampling;

public sealed class SamplerTests
{
    [Fact]
    public void SameSeed_SameOutput_DifferentSeed_DifferentOutput()
    {
        using var engine = TestModels.Engine();
        var prompt = TestModels.Prompt(10, 1);
        // A hot temperature: the small test model is confident enough that at 1.0 two seeds may agree by chance.
        var p = new SamplingParams { Temperature = 5.0, MaxTokens = 30, IgnoreEos = true, Seed = 42 };
        var a = engine.Generate([prompt], p)[0];
        var b = engine.Generate([prompt, prompt], p);
        var c = engine.Generate([prompt], p with { Seed = 43 })[0];
        Assert.Equal(a, b[0]);
        Assert.Equal(a, b[1]);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TopKOne_And_TinyTopP_And_HighMinP_AreGreedy()
    {
        using var engine = TestModels.Engine();
        var prompt = TestModels.Prompt(10, 2);
        var greedy = engine.Generate([prompt], SamplingParams.Greedy(15) with { IgnoreEos = true })[0];
        var sampled = new SamplingParams { Temperature = 1.5, MaxTokens = 15, IgnoreEos = true, Seed = 7 };
        Assert.Equal(greedy, engine.Generate([prompt], sampled with { TopK = 1 })[0]);
        Assert.Equal(greedy, engine.Generate([prompt], sampled with { TopP = 1e-6 })[0]);
        Assert.Equal(greedy, engine.Generate([prompt], sampled with { MinP = 1.0 })[0]);
    }

    [Fact]
    public void Penalties_ChangeRepeatedTokens()
    {
        using var engine = TestModels.Engine();
        var prompt = TestModels.Prompt(6, 3);
        var greedy = SamplingParams.Greedy(40) with { IgnoreEos = true };
        var plain = engine.Generate([prompt], greedy)[0];
        var penalised = engine.Generate([prompt], greedy with { FrequencyPenalty = 2.0, PresencePenalty = 2.0 })[0];
        var repetition = engine.Generate([prompt], greedy with { RepetitionPenalty = 5.0 })[0];
        Assert.True(plain.Distinct().Count() < plain.Count, "the random model should repeat itself greedily over 40 tokens");
        Assert.True(penalised.Distinct().Count() > plain.Distinct().Count());
        Assert.True(repetition.Distinct().Count() > plain.Distinct().Count());
    }

    [Fact]
    public void Logprobs_AreNormalised_AndTopAlternativesAreSorted()
    {
        using var engine = TestModels.Engine();
        engine.AddRequest("lp", TestModels.Prompt(8, 4), SamplingParams.Greedy(5) with { Logprobs = 3, IgnoreEos = true });
        var outputs = new List<TokenLogprob>();
        while (engine.HasUnfinishedRequests)
            outputs.AddRange(engine.Step().SelectMany(o => o.NewLogprobs ?? []));
        Assert.Equal(5, outputs.Count);
        foreach (var lp in outputs)
        {
            Assert.Equal(3, lp.Top.Count);
            Assert.Equal(lp.TokenId, lp.Top[0].TokenId); // greedy: the sampled token is the most likely
            Assert.Equal(lp.Logprob, lp.Top[0].Logprob);
            Assert.True(lp.Top[0].Logprob >= lp.Top[1].Logprob && lp.Top[1].Logprob >= lp.Top[2].Logprob);
            Assert.InRange(lp.Logprob, -20f, 0f);
        }
    }
}
