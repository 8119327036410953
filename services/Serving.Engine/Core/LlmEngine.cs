using Serving.Engine.Cache;
using Serving.Engine.Checkpoint;
using Serving.Engine.DefaultModel;
using Serving.Engine.Execution;
using Serving.Engine.Model;
using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;
using Serving.Model.Config;
using Serving.Model.Requests;
using Serving.Model.Sampling;
using Serving.Model.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Core;

/// <summary>
/// One worker's engine: a model replica, its paged KV pool and the continuous-batching loop. Not thread-safe:
/// one loop thread owns it. Each <see cref="Step"/> is schedule → run → sample → postprocess.
/// </summary>
public sealed partial class LlmEngine : IDisposable
{
    readonly Scheduler scheduler;
    readonly ModelRunner runner;
    readonly OutputProcessor output;
    readonly SequenceLimits limits;
    readonly Dictionary<string, Sequence> live = [];
    readonly HashSet<int> eosTokenIds;
    readonly KvImportBufferPool importBuffers;
    PrefillMode mode = PrefillMode.Whole;
    LayeredBatch? layered;

    internal LlmEngine(ModelConfig config, IWeightSource weights, EngineOptions options, TextTokenizer? tokenizer = null)
        : this(config, options, tokenizer, (dtype, device) =>
        {
            var loaded = LlamaWeights.Load(weights, config, dtype, device);
            return (new LlamaModel(config, loaded, dtype, device), loaded.Fingerprint(config));
        })
    {
    }

    /// <summary>The engine around a model <paramref name="load"/> builds for the chosen dtype and device (with its weights' fingerprint).</summary>
    internal LlmEngine(ModelConfig config, EngineOptions options, TextTokenizer? tokenizer, Func<ScalarType, Device, (IForwardModel Model, string Fingerprint)> load)
    {
        Options = options;
        Config = config;
        Tokenizer = tokenizer;
        if (options.NumThreads is { } threads)
            torch.set_num_threads(threads);
        Target = EngineTarget.For(options, config);
        Device = DeviceSelection.Device(options.Device);
        DType = DeviceSelection.ScalarType(Target);
        eosTokenIds = [.. config.EosTokenIds];
        if (tokenizer is not null)
            eosTokenIds.UnionWith(tokenizer.EosTokenIds);

        var (model, fingerprint) = load(DType, Device);
        KvLayout = new KvLayout(config.NumLayers, options.BlockSize, config.NumKvHeads, config.HeadDim, DeviceSelection.Name(DType), fingerprint);
        var numBlocks = options.NumBlocks ?? (int)Math.Max(1, options.KvCacheBytes / KvLayout.BlockBytes);
        runner = new ModelRunner(model, new KvCache(KvLayout, numBlocks, DType, Device));
        scheduler = new Scheduler(options.Scheduler, new BlockManager(numBlocks, options.BlockSize, options.EnablePrefixCaching));
        output = new OutputProcessor(tokenizer, eosTokenIds, config.MaxModelLength);
        limits = new SequenceLimits(config.VocabSize, config.MaxModelLength, options.BlockSize, numBlocks);
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

    /// <summary>Prompt tokens admitted or waiting whose KV is not computed yet.</summary>
    public long NumPendingPrefillTokens => scheduler.NumPendingPrefillTokens;
    public long NumPreemptions => scheduler.NumPreemptions;
    public int NumTotalBlocks => scheduler.Blocks.NumBlocks;
    public int NumFreeBlocks => scheduler.Blocks.NumFreeBlocks;
    public int NumCachedBlocks => scheduler.Blocks.NumCachedBlocks;

    /// <summary>The prefix cache's block hashes and their changes, readable from any thread (what a worker publishes to the router).</summary>
    public PrefixCacheJournal PrefixCache => scheduler.Blocks.Journal;

    /// <summary>Prefix-cache lookups at admission (prompts and reserved imports) and the prompt tokens they found cached. Written on the engine thread.</summary>
    public long PrefixLookups => scheduler.Blocks.PrefixLookups;

    public long PrefixHitTokens => scheduler.Blocks.PrefixHitTokens;

    /// <summary>
    /// Layer groups a prompt is prefilled in, one group per step beside a full decode pass (layered prefill); 1 runs
    /// prompts and decodes in one mixed pass. Takes effect from the next prefill batch.
    /// </summary>
    public int PrefillLayerGroups
    {
        get => mode is PrefillMode.Layered l ? l.Groups : 1;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Config.NumLayers);
            if (value > 1 && mode is PrefillMode.Chunked)
                throw BothPrefillModes();
            mode = value > 1 ? new PrefillMode.Layered(value) : mode is PrefillMode.Layered ? PrefillMode.Whole : mode;
        }
    }

    /// <summary>
    /// Most prompt tokens one step prefills beside the decodes (chunked prefill): a longer prompt is computed over
    /// several steps. 0 (off) prefills whole prompts. An alternative to layered prefill; takes effect from the next step.
    /// </summary>
    public int PrefillChunkTokens
    {
        get => mode is PrefillMode.Chunked c ? c.Tokens : 0;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (value > 0 && mode is PrefillMode.Layered)
                throw BothPrefillModes();
            mode = value > 0 ? new PrefillMode.Chunked(value) : mode is PrefillMode.Chunked ? PrefillMode.Whole : mode;
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
    /// <param name="receiverCachedTokens">
    /// With <paramref name="holdAfterPrefill"/>: leading tokens the receiving engine already holds (whole blocks, as
    /// its <see cref="ImportCachedTokens"/> said); their blocks are not exported.
    /// </param>
    public void AddRequest(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, ResumePoint? resume = null, int receiverCachedTokens = 0)
    {
        var seq = NewSequence(requestId, promptTokens, sampling, holdAfterPrefill, resume);
        if (receiverCachedTokens != 0)
        {
            var blockSize = KvLayout.BlockSize;
            if (!holdAfterPrefill || receiverCachedTokens < 0 || receiverCachedTokens % blockSize != 0 || receiverCachedTokens / blockSize > (seq.Length - 1) / blockSize)
                throw new ArgumentOutOfRangeException(nameof(receiverCachedTokens),
                    $"a receiver can hold whole {blockSize}-token blocks before the prompt's last token ({seq.Length} tokens), not {receiverCachedTokens}, and only for a held prefill.");
            seq.ExportFromBlock = receiverCachedTokens / blockSize;
        }
        scheduler.Add(seq);
        Track(seq, resume);
    }

    Sequence NewSequence(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill, ResumePoint? resume)
    {
        var seq = Sequence.Create(requestId, promptTokens, sampling, holdAfterPrefill, resume, limits);
        if (live.ContainsKey(requestId))
            throw new ArgumentException($"request id '{requestId}' is already in use.", nameof(requestId));
        return seq;
    }

    void Track(Sequence seq, ResumePoint? resume)
    {
        live.Add(seq.RequestId, seq);
        output.Add(seq, resume);
    }

    void Forget(string requestId)
    {
        live.Remove(requestId);
        output.Remove(requestId);
    }

    /// <summary>Encodes text with the model's tokenizer (BOS added where the model wants it).</summary>
    public IReadOnlyList<int> Encode(string text) =>
        (Tokenizer ?? throw new InvalidOperationException("this engine has no tokenizer.")).Encode(text);

    /// <summary>Runs one iteration of continuous batching and returns what each scheduled request produced.</summary>
    public IReadOnlyList<RequestOutput> Step()
    {
        var batch = scheduler.Schedule(mode);
        if (mode is PrefillMode.Layered || layered is not null)
            return StepLayered(batch);
        LastStep = StepStats.Of(batch.Decodes, batch.Prefills, batch.Prefills.Count > 0 ? Config.NumLayers : 0);
        return batch.IsEmpty ? [] : Execute(batch);
    }

    /// <summary>What the last <see cref="Step"/> ran (decode batch, prefill tokens and layers); for step traces.</summary>
    public StepStats LastStep { get; private set; }

    /// <summary>
    /// Runs a scheduled batch in one pass, samples and postprocesses it. A prefill that stops short of its prompt's
    /// end (an earlier chunk) produces no token; its now written full blocks join the prefix cache.
    /// </summary>
    IReadOnlyList<RequestOutput> Execute(ScheduledBatch batch)
    {
        List<Sequence> sampledRows = [.. batch.Decodes, .. batch.Prefills.Where(s => s.SamplesThisStep)];
        Sampler.Result[] sampled = [];
        using (var logits = Run(batch))
            if (sampledRows.Count > 0)
                sampled = Sampler.Sample(logits, sampledRows, eosTokenIds);
        scheduler.Computed([.. batch.Decodes, .. batch.Prefills]);
        return Postprocess(sampledRows, sampled);
    }

    /// <summary>
    /// Runs the batch. When it holds prefills whose KV leaves this engine, the layers run in
    /// <see cref="EngineOptions.KvExportLayerGroups"/> groups and each group's KV is handed to <see cref="KvExported"/>
    /// as soon as it is computed, so sending it overlaps the next group's compute.
    /// </summary>
    Tensor Run(ScheduledBatch batch)
    {
        // A chunked held prefill exports once, in its last chunk's pass, when all its tokens have KV.
        var exporting = KvExported is null ? [] : batch.Prefills.Where(s => s.HoldAfterPrefill && s.SamplesThisStep).ToList();
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

    List<RequestOutput> Postprocess(IReadOnlyList<Sequence> seqs, Sampler.Result[] sampled)
    {
        var outputs = new List<RequestOutput>(sampled.Length);
        for (var i = 0; i < sampled.Length; i++)
            outputs.Add(Postprocess(seqs[i], sampled[i]));
        return outputs;
    }

    RequestOutput Postprocess(Sequence seq, Sampler.Result result)
    {
        var (text, reason) = output.Append(seq, result);
        scheduler.Update(seq, reason);
        if (reason is not null)
            Forget(seq.RequestId);
        return OutputProcessor.Output(seq, result, text);
    }

    /// <summary>Stops a request wherever it is and frees its blocks. False when it is not known (or already finished).</summary>
    public bool Abort(string requestId)
    {
        if (!live.TryGetValue(requestId, out var seq))
            return false;
        if (layered is not null && layered.Sequences.Contains(seq))
            DropFromPrefill(seq);
        scheduler.Finish(seq, FinishReason.Abort);
        Forget(requestId);
        return true;
    }

    public void Dispose()
    {
        layered?.Dispose();
        importBuffers.Dispose();
        runner.Dispose();
    }
}
