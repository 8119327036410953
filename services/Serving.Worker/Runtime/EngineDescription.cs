using Serving.Engine.Cache;
using Serving.Model.Config;
using Serving.Model.Tokenization;

namespace Serving.Worker.Runtime;

/// <summary>
/// The fixed facts of a loop's engine, safe to read from any thread: its KV layout, model config and tokenizer (a
/// model engine has them; another <see cref="Serving.Engine.Core.IStepEngine"/> does not) and its KV block count.
/// </summary>
public sealed record EngineDescription(string Worker, KvLayout? Layout, ModelConfig? Config, TextTokenizer? Tokenizer, int NumBlocks)
{
    /// <summary>Whether it is a model engine, which can prefill for others and take imported KV.</summary>
    public bool IsModel => Layout is not null;

    public KvLayout KvLayout => Layout ?? throw NotAModel();

    public ModelConfig ModelConfig => Config ?? throw NotAModel();

    NotSupportedException NotAModel() => new($"worker {Worker} does not run a model engine.");
}
