using Serving.Model.Config;
using Serving.Engine.Core;
using Serving.Engine.Scheduling;

namespace Serving.Engine.Tests.Support;

internal static class TestModels
{
    /// <summary>A small Llama-shaped config: 8 layers for layer groups, grouped-query attention (4 q / 2 kv heads).</summary>
    public static ModelConfig Small(bool tie = true, bool bias = false) => new()
    {
        ModelType = bias ? "qwen2" : "llama",
        HiddenSize = 128,
        IntermediateSize = 352,
        NumLayers = 8,
        NumHeads = 4,
        NumKvHeads = 2,
        HeadDim = 32,
        VocabSize = 1000,
        MaxPositionEmbeddings = 512,
        TieWordEmbeddings = tie,
        AttentionBias = bias,
        EosTokenIds = [999],
    };

    public static LlmEngine Engine(ModelConfig? config = null, int? numBlocks = 256, bool prefixCaching = true, int maxSeqs = 64, long seed = 1, string dtype = "float32")
    {
        config ??= Small();
        return new LlmEngine(config, new RandomWeights(config, seed), new EngineOptions
        {
            Device = "cpu",
            DType = dtype,
            NumBlocks = numBlocks,
            EnablePrefixCaching = prefixCaching,
            Scheduler = new SchedulerOptions { MaxNumSeqs = maxSeqs },
        });
    }

    public static int[] Prompt(int length, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => rng.Next(0, 998)).ToArray();
    }
}
