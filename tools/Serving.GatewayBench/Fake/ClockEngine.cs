using Serving.Engine.Core;
using Serving.Engine.DefaultModel;
using Serving.Engine.Scheduling;
using Serving.Model.Config;

namespace Serving.GatewayBench.Fake;

/// <summary>
/// The real engine around <see cref="ClockModel"/>: every step takes one fixed interval and gives every running request
/// one token (no batch limit worth the name). Requests finish at max_tokens (finish reason length), as the real
/// model's do with ignore_eos; each token's text is its emission time (<see cref="ClockTokenizer"/>).
/// </summary>
internal static class ClockEngine
{
    /// <summary>The token every step emits ("x" in the GPT-2 vocabulary); its text is the emission time, not "x".</summary>
    public const int TokenId = 87;

    /// <summary>Builds the engine for the options the worker would use, with the default model's config (its vocabulary and context).</summary>
    public static LlmEngine Create(TimeSpan interval, EngineOptions options, StepRecorder? recorder = null)
    {
        // The default model's vocabulary and context (the gateway tokenizes with its tokenizer), one layer and a
        // one-number KV head: no KV is ever written, the pool (8 MiB) only has to admit every stream.
        var config = ModelConfig.Load(DefaultModelStore.EnsureDefault()) with { NumLayers = 1, NumKvHeads = 1, HeadDim = 1 };
        var unbounded = options with
        {
            Device = "cpu",
            DType = "float32",
            NumBlocks = 1 << 16,
            EnablePrefixCaching = false,
            Scheduler = new SchedulerOptions { MaxNumSeqs = 1 << 16, MaxNumBatchedTokens = 1 << 24 },
        };
        return new LlmEngine(config, unbounded, ClockTokenizer.Create(config.VocabSize),
            (_, _) => (new ClockModel(interval, config.NumLayers, recorder), "clock"));
    }
}
