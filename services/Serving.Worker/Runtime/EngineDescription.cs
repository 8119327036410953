using Serving.Engine.Cache;
using Serving.Model.Config;
using Serving.Model.Tokenization;

namespace Serving.Worker.Runtime;

/// <summary>The fixed facts of a loop's engine, safe to read from any thread: its KV layout, model config, tokenizer and KV block count.</summary>
public sealed record EngineDescription(KvLayout KvLayout, ModelConfig ModelConfig, TextTokenizer? Tokenizer, int NumBlocks);
