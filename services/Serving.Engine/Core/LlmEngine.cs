using System.IO.Hashing;
using System.Text;
using Serving.Engine.Cache;
using Serving.Engine.Checkpoint;
using Serving.Model.Config;
using Serving.Engine.DefaultModel;
using Serving.Engine.Model;
using Serving.Engine.Execution;
using Serving.Engine.Sampling;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using Serving.Model.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using Serving.Model.Requests;

namespace Serving.Engine.Core;

/// <summary>
/// One worker's engine: a model replica, its paged KV pool and the continuous-batching loop. Not thread-safe:
/// one loop thread owns it. Each <see cref="Step"/> is schedule → run → sample → postprocess.
/// </summary>
public sealed partial class LlmEngine : IStepEngine
{
    readonly Scheduler scheduler;
    readonly ModelRunner runner;
    readonly Dictionary<string, Sequence> live = [];
    readonly HashSet<int> eosTokenIds;
    readonly Dictionary<string, TextStream> texts = [];
    readonly KvImportBufferPool importBuffers;
    int prefillLayerGroups = 1;
    int prefillChunkTokens;
    LayeredPrefill? layered;

    internal LlmEngine(ModelConfig config, IWeightSource weights, EngineOptions options, TextTokenizer? tokenizer = null)
    {
        Options = options;
        Config = config;
        Tokenizer = tokenizer;
        if (options.NumThreads is { } threads)
            torch.set_num_threads(threads);
        Target = EngineTarget.For(options, config);
        Device = DeviceSelection.Device(options.Device);
        DType = DeviceSelection.ScalarType(Target);
        this.eosTokenIds = [.. config.EosTokenIds];
        if (tokenizer is not null)
            this.eosTokenIds.UnionWith(tokenizer.EosTokenIds);

        var loaded = LlamaWeights.Load(weights, config, DType, Device);
        var model = new LlamaModel(config, loaded, DType, Device);
        KvLayout = new KvLayout(config.NumLayers, options.BlockSize, config.NumKvHeads, config.HeadDim, DeviceSelection.Name(DType), Fingerprint(config, loaded.Embed));
        var numBlocks = options.NumBlocks ?? (int)Math.Max(1, options.KvCacheBytes / KvCache.BytesPerBlock(KvLayout));
        runner = new ModelRunner(model, new KvCache(KvLayout, numBlocks, DType, Device));
        scheduler = new Scheduler(options.Scheduler, new BlockManager(numBlocks, options.BlockSize, options.EnablePrefixCaching));
        importBuffers = new KvImportBufferPool(DType, KvLayout.ElementSize);
        PrefillLayerGroups = options.PrefillLayerGroups;
        PrefillChunkTokens = options.PrefillChunkTokens;
    }

    /// <summary>
    /// Loads a Hugging Face checkpoint folder (or the default tiny model when <see cref="EngineOptions.ModelPath"/> is
    /// null, creating it on first use) onto the device the options pick.
    /// </summary>
    public static LlmEngine Create(EngineOptions options)
    {
        NativeAllocator.KeepLargeBlocks();
        var folder = options.ModelPath ?? DefaultModelStore.EnsureDefault();
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"model folder '{folder}' does not exist.");
        var config = ModelConfig.Load(folder);
        var tokenizer = TextTokenizer.Load(folder);
        using var weights = CheckpointReader.Open(folder);
        return new LlmEngine(config, weights, options, tokenizer);
    }

    public EngineOptions Options { get; }
    public TextTokenizer? Tokenizer { get; }
    public ModelConfig Config { get; }
    /// <summary>The device type and dtype by name, as profiles are named (<see cref="EngineTarget"/>).</summary>
    public EngineTarget Target { get; }
    public Device Device { get; }
    public ScalarType DType { get; }
    public KvLayout KvLayout { get; }
    public int MaxModelLength => Config.MaxModelLength;
    public IReadOnlySet<int> EosTokenIds => eosTokenIds;

    public bool HasUnfinishedRequests => scheduler.HasWork;
    public int NumWaiting => scheduler.NumWaiting;
    public int NumRunning => scheduler.NumRunning;
    public long NumPreemptions => scheduler.NumPreemptions;
    public int NumTotalBlocks => scheduler.Blocks.NumBlocks;
    public int NumFreeBlocks => scheduler.Blocks.NumFreeBlocks;
    public int NumCachedBlocks => scheduler.Blocks.NumCachedBlocks;

    /// <summary>
    /// Layer groups a prompt is prefilled in, one group per step beside a full decode pass (layered prefill); 1 runs
    /// prompts and decodes in one mixed pass. Takes effect from the next prefill batch.
    /// </summary>
    public int PrefillLayerGroups
    {
        get => prefillLayerGroups;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Config.NumLayers);
            if (value > 1 && prefillChunkTokens > 0)
                throw BothPrefillModes();
            prefillLayerGroups = value;
        }
    }

    /// <summary>
    /// Most prompt tokens one step prefills beside the decodes (chunked prefill): a longer prompt is computed over
    /// several steps. 0 (off) prefills whole prompts. An alternative to layered prefill; takes effect from the next step.
    /// </summary>
    public int PrefillChunkTokens
    {
        get => prefillChunkTokens;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (value > 0 && prefillLayerGroups > 1)
                throw BothPrefillModes();
            prefillChunkTokens = value;
        }
    }

    static ArgumentException BothPrefillModes() => new(
        "chunked prefill (PrefillChunkTokens > 0) and layered prefill (PrefillLayerGroups > 1) are alternatives; turn one off before turning the other on.");

    internal ModelRunner Runner => runner;
    internal Scheduler Scheduler => scheduler;

    /// <summary>
    /// Queues a request. With <paramref name="holdAfterPrefill"/>, it stops after its first token and keeps its KV for
    /// export. With <paramref name="resume"/>, it continues a request another engine started.
    /// </summary>
    public void AddRequest(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, ResumePoint? resume = null)
    {
        var seq = NewSequence(requestId, promptTokens, sampling, holdAfterPrefill, resume);
        scheduler.Add(seq);
        Track(seq, resume);
    }

    void Track(Sequence seq, ResumePoint? resume)
    {
        live.Add(seq.RequestId, seq);
        if (Tokenizer is null)
            return;
        var stream = new TextStream(Tokenizer, seq.Sampling.Stop);
        if (resume is not null)
            stream.Prime(resume.OutputTokens, resume.EmittedChars);
        texts[seq.RequestId] = stream;
    }

    /// <summary>Encodes text with the model's tokenizer (BOS added where the model wants it).</summary>
    public IReadOnlyList<int> Encode(string text) =>
        (Tokenizer ?? throw new InvalidOperationException("this engine has no tokenizer.")).Encode(text);

    /// <summary>Runs one iteration of continuous batching and returns what each scheduled request produced.</summary>
    public IReadOnlyList<RequestOutput> Step()
    {
        if (prefillLayerGroups > 1 || layered is not null)
            return StepLayered();
        var batch = scheduler.Schedule(chunkTokens: prefillChunkTokens);
        LastStep = Stats(batch.Decodes, batch.Prefills, batch.Prefills.Count > 0 ? Config.NumLayers : 0);
        return batch.IsEmpty ? [] : Execute(batch);
    }

    /// <summary>What the last <see cref="Step"/> ran (decode batch, prefill tokens and layers); for step traces.</summary>
    public StepStats LastStep { get; private set; }

    static StepStats Stats(IReadOnlyList<Sequence> decodes, IReadOnlyList<Sequence> prefills, int prefillLayers)
    {
        long context = 0, tokens = 0;
        double squares = 0;
        foreach (var seq in decodes)
            context += seq.Length;
        foreach (var seq in prefills)
        {
            // Rows p..end attend over end keys: (end² − p²) of a whole prompt's len², for a chunk or a cached prefix.
            tokens += seq.PrefillEnd - seq.NumComputedTokens;
            squares += (double)seq.PrefillEnd * seq.PrefillEnd - (double)seq.NumComputedTokens * seq.NumComputedTokens;
        }
        return new StepStats(decodes.Count, context, prefills.Count, tokens, squares, prefillLayers);
    }

    /// <summary>
    /// Runs a scheduled batch in one pass, samples and postprocesses it. A prefill that stops short of its prompt's
    /// end (an earlier chunk) produces no token; its now written full blocks join the prefix cache.
    /// </summary>
    IReadOnlyList<RequestOutput> Execute(ScheduledBatch batch)
    {
        List<Sequence> sampledRows = [.. batch.Decodes, .. batch.Prefills.Where(s => s.IsLastChunk)];
        Sampler.Result[] sampled = [];
        using (var logits = Run(batch))
            if (sampledRows.Count > 0)
                sampled = Sampler.Sample(logits, sampledRows, eosTokenIds);

        foreach (var seq in batch.Prefills.Where(s => !s.IsLastChunk))
        {
            seq.NumComputedTokens = seq.PrefillEnd;
            scheduler.Blocks.Commit(seq, seq.NumComputedTokens);
        }
        var outputs = new List<RequestOutput>(sampled.Length);
        for (var i = 0; i < sampled.Length; i++)
            outputs.Add(Postprocess(sampledRows[i], sampled[i], isPrefill: i >= batch.Decodes.Count));
        return outputs;
    }

    /// <summary>
    /// Runs the batch. When it holds prefills whose KV leaves this engine, the layers run in
    /// <see cref="EngineOptions.KvExportLayerGroups"/> groups and each group's KV is handed to <see cref="KvExported"/>
    /// as soon as it is computed, so sending it overlaps the next group's compute.
    /// </summary>
    Tensor Run(ScheduledBatch batch)
    {
        // A chunked held prefill exports once, in its last chunk's pass, when all its tokens have KV.
        var exporting = KvExported is null ? [] : batch.Prefills.Where(s => s.HoldAfterPrefill && s.IsLastChunk).ToList();
        if (exporting.Count == 0)
            return runner.Run(batch);
        return runner.Run(batch, Options.KvExportLayerGroups, (first, end) =>
        {
            // Mid-step, before sampling: every token of these sequences has KV in the layers just run.
            foreach (var seq in exporting)
                KvExported!(ExportKv(seq, first, end, seq.Length));
        });
    }

    /// <summary>Receives each layer group's KV of held prefills as it is computed (on the engine's thread; the receiver owns the export).</summary>
    public Action<KvExport>? KvExported { get; set; }

    /// <summary>Stops a request wherever it is and frees its blocks. False when it is not known (or already finished).</summary>
    public bool Abort(string requestId)
    {
        if (!live.Remove(requestId, out var seq))
            return false;
        texts.Remove(requestId);
        if (layered is not null && layered.Sequences.Contains(seq))
            DropFromPrefill(seq);
        if (seq.Status is SequenceStatus.Waiting or SequenceStatus.Running)
            scheduler.Remove(seq);
        else
            scheduler.Blocks.Free(seq);
        seq.Status = SequenceStatus.Finished;
        seq.FinishReason = FinishReason.Abort;
        return true;
    }

    RequestOutput Postprocess(Sequence seq, Sampler.Result result, bool isPrefill)
    {
        var tokensWithKv = seq.Length;
        seq.Append(result.TokenId);
        if (result.Logprob is { } lp)
            (seq.Logprobs ??= []).Add(lp);
        scheduler.Blocks.Commit(seq, tokensWithKv);

        var reason = StopReason(seq);
        var text = AppendText(seq, ref reason);
        if (reason is not null)
            Finish(seq, reason.Value);
        else if (seq.Status == SequenceStatus.Importing)
            scheduler.AddRunning(seq);
        else if (isPrefill && seq.HoldAfterPrefill)
        {
            scheduler.Remove(seq, freeBlocks: false);
            seq.Status = SequenceStatus.Held;
        }
        return Output(seq, [result.TokenId], text, result.Logprob is { } l ? [l] : null);
    }

    /// <summary>Detokenizes the sequence's newest token; a stop string found in the text finishes the request.</summary>
    string AppendText(Sequence seq, ref FinishReason? reason)
    {
        if (!texts.TryGetValue(seq.RequestId, out var stream))
            return "";
        var (delta, stopped) = stream.Append(seq.LastToken, isLast: reason is not null);
        if (stopped)
            reason = FinishReason.Stop;
        return delta;
    }

    RequestOutput Output(Sequence seq, IReadOnlyList<int> newTokens, string text, IReadOnlyList<TokenLogprob>? logprobs) =>
        new(seq.RequestId, newTokens, text, logprobs, seq.IsFinished, seq.FinishReason, seq.PromptLength, seq.OutputLength, seq.NumCachedTokens);

    FinishReason? StopReason(Sequence seq)
    {
        var p = seq.Sampling;
        var token = seq.LastToken;
        if (seq.OutputLength >= p.MinTokens && ((!p.IgnoreEos && eosTokenIds.Contains(token)) || p.StopTokenIds.Contains(token)))
            return FinishReason.Stop;
        if (seq.OutputLength >= p.MaxTokens || seq.Length >= MaxModelLength)
            return FinishReason.Length;
        return null;
    }

    void Finish(Sequence seq, FinishReason reason)
    {
        if (seq.Status is SequenceStatus.Running or SequenceStatus.Waiting)
            scheduler.Remove(seq);
        else
            scheduler.Blocks.Free(seq);
        seq.Status = SequenceStatus.Finished;
        seq.FinishReason = reason;
        live.Remove(seq.RequestId);
        texts.Remove(seq.RequestId);
    }

    Sequence NewSequence(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill, ResumePoint? resume)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        sampling.Validate();
        if (live.ContainsKey(requestId))
            throw new ArgumentException($"request id '{requestId}' is already in use.", nameof(requestId));
        if (promptTokens.Count == 0)
            throw new ArgumentException("the prompt is empty.", nameof(promptTokens));
        foreach (var t in promptTokens)
            if (t < 0 || t >= Config.VocabSize)
                throw new ArgumentException($"token id {t} is outside the vocabulary [0, {Config.VocabSize}).", nameof(promptTokens));
        if (promptTokens.Count + sampling.MaxTokens > MaxModelLength)
            throw new ArgumentException(
                $"prompt ({promptTokens.Count} tokens) plus max_tokens ({sampling.MaxTokens}) exceeds the model's context length ({MaxModelLength}).",
                nameof(sampling));
        var blocksNeeded = (promptTokens.Count + sampling.MaxTokens + Options.BlockSize - 1) / Options.BlockSize;
        if (blocksNeeded > NumTotalBlocks)
            throw new ArgumentException(
                $"the request needs {blocksNeeded} KV blocks but the pool has {NumTotalBlocks}; raise the KV cache memory or shorten the request.",
                nameof(sampling));
        if (resume is not null)
        {
            if (resume.OutputTokens.Count >= sampling.MaxTokens)
                throw new ArgumentException($"a resumed request must have fewer than max_tokens ({sampling.MaxTokens}) tokens already generated.", nameof(resume));
            foreach (var t in resume.OutputTokens)
                if (t < 0 || t >= Config.VocabSize)
                    throw new ArgumentException($"generated token id {t} is outside the vocabulary [0, {Config.VocabSize}).", nameof(resume));
        }
        return new Sequence(requestId, promptTokens, sampling, holdAfterPrefill, resume?.OutputTokens);
    }

    /// <summary>Identifies the architecture and the weights (by the first embedding row) so two engines can check they match.</summary>
    static string Fingerprint(ModelConfig config, Tensor embed)
    {
        var hasher = new XxHash64();
        hasher.Append(Encoding.UTF8.GetBytes((config with { EosTokenIds = [] }).ToString()));
        using var row = embed.narrow(0, 0, 1).to(ScalarType.Float32).cpu().contiguous();
        hasher.Append(row.bytes);
        return Convert.ToHexString(hasher.GetCurrentHash()).ToLowerInvariant();
    }

    public void Dispose()
    {
        layered?.Dispose();
        importBuffers.Dispose();
        runner.Dispose();
    }
}
