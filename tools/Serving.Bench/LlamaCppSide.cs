using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Serving.Bench;

/// <summary>
/// llama.cpp through LLamaSharp on the same weights (F32 GGUF) with an f32 KV cache: one context for single-prompt
/// prefill, one multi-sequence context for batched decode (one token per sequence id per step). Flash attention is
/// a parameter because on this CPU it wins prefill and loses decode, and llama.cpp's default (auto) turns it on.
/// </summary>
internal sealed class LlamaCppSide : IBenchSide
{
    readonly LLamaWeights weights;
    readonly LLamaContext prefillContext;
    readonly LLamaContext decodeContext;
    readonly LLamaBatch batch = new();
    readonly List<int> positions = [];

    public LlamaCppSide(string ggufPath, int threads, int maxPrefill, int maxSeqs, int contextPerSeq, bool flashAttention)
    {
        weights = LLamaWeights.LoadFromFile(Params(ggufPath, threads, 512, 512, 1, flashAttention));
        prefillContext = weights.CreateContext(Params(ggufPath, threads, maxPrefill, maxPrefill, 1, flashAttention));
        decodeContext = weights.CreateContext(Params(ggufPath, threads, contextPerSeq * maxSeqs, maxPrefill, maxSeqs, flashAttention));
        Name = $"{NamePrefix} FA {(flashAttention ? "on" : "off")}";
    }

    public const string NamePrefix = "llama.cpp f32";

    public string Name { get; }

    static ModelParams Params(string path, int threads, int context, int batch, int seqs, bool flashAttention) => new(path)
    {
        FlashAttention = flashAttention,
        ContextSize = (uint)context,
        BatchSize = (uint)batch,
        UBatchSize = (uint)batch,
        SeqMax = (uint)seqs,
        // Each sequence its own KV stream: llama.cpp's advice when sequences share no prefix.
        KVUnified = false,
        GpuLayerCount = 0,
        Threads = threads,
        BatchThreads = threads,
        TypeK = GGMLType.GGML_TYPE_F32,
        TypeV = GGMLType.GGML_TYPE_F32,
    };

    public double Prefill(IReadOnlyList<int> tokens)
    {
        prefillContext.NativeHandle.MemoryClear();
        batch.Clear();
        for (var i = 0; i < tokens.Count; i++)
            batch.Add(tokens[i], i, LLamaSeqId.Zero, i == tokens.Count - 1);
        var sw = Stopwatch.StartNew();
        Check(prefillContext.Decode(batch));
        return sw.Elapsed.TotalMilliseconds;
    }

    public void PrepareDecodePool(IReadOnlyList<int[]> prompts)
    {
        var maxTokens = (int)decodeContext.BatchSize;
        batch.Clear();
        for (var s = 0; s < prompts.Count; s++)
        {
            if (batch.TokenCount + prompts[s].Length > maxTokens)
            {
                Check(decodeContext.Decode(batch));
                batch.Clear();
            }
            for (var i = 0; i < prompts[s].Length; i++)
                batch.Add(prompts[s][i], i, (LLamaSeqId)s, i == prompts[s].Length - 1);
            positions.Add(prompts[s].Length);
        }
        if (batch.TokenCount > 0)
            Check(decodeContext.Decode(batch));
    }

    public double DecodeStep(int first, int count, int token)
    {
        batch.Clear();
        for (var s = first; s < first + count; s++)
            batch.Add(token, positions[s]++, (LLamaSeqId)s, true);
        var sw = Stopwatch.StartNew();
        Check(decodeContext.Decode(batch));
        return sw.Elapsed.TotalMilliseconds;
    }

    static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama.cpp decode failed: {result}");
    }

    public void Dispose()
    {
        decodeContext.Dispose();
        prefillContext.Dispose();
        weights.Dispose();
    }
}
