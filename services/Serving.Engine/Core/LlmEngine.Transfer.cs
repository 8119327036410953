using Serving.Engine.Sampling;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using TorchSharp;
using Serving.Model.Requests;

namespace Serving.Engine.Core;

// Disaggregation hooks: a prefill engine holds a prefilled request and exports its KV; a decode engine reserves
// blocks, imports that KV and continues the request as if it had run the prefill itself.
public sealed partial class LlmEngine
{
    /// <summary>Copies a held request's prompt KV for layers [firstLayer, endLayer) into one contiguous buffer.</summary>
    public KvExport ExportKv(string requestId, int firstLayer, int endLayer)
    {
        var seq = Find(requestId, SequenceStatus.Held);
        CheckLayers(firstLayer, endLayer);
        // A held sequence's last (just sampled) token has no KV yet: only the tokens before it move.
        return ExportKv(seq, firstLayer, endLayer, seq.Length - 1);
    }

    // Only the blocks the receiver lacks move: from ExportFromBlock on (it holds the ones before in its prefix cache).
    KvExport ExportKv(Sequence seq, int firstLayer, int endLayer, int tokensWithKv)
    {
        var numBlocks = (tokensWithKv + KvLayout.BlockSize - 1) / KvLayout.BlockSize;
        var first = seq.ExportFromBlock;
        var data = runner.Cache.Export(seq.BlockTable.GetRange(first, numBlocks - first), firstLayer, endLayer);
        return new KvExport(seq.RequestId, KvLayout, firstLayer, endLayer, tokensWithKv, first, numBlocks - first, data);
    }

    /// <summary>True when the request stopped after its prefill and waits for its KV to be exported.</summary>
    public bool IsHeld(string requestId) => live.TryGetValue(requestId, out var seq) && seq.Status == SequenceStatus.Held;

    /// <summary>Frees a held request's blocks once its KV has been handed over.</summary>
    public void Release(string requestId)
    {
        scheduler.Finish(Find(requestId, SequenceStatus.Held), reason: null);
        Forget(requestId);
    }

    /// <summary>
    /// Reserves blocks for a prompt whose KV will be imported: the prefix this engine's cache holds is shared at once,
    /// fresh blocks take the rest (<see cref="ImportCachedTokens"/> says how many leading tokens need no KV from the
    /// sender). False when the pool cannot hold it now (the caller retries later or routes elsewhere); throws when the
    /// request is invalid. Without <paramref name="reuseCachedPrefix"/> every block is fresh and the whole KV comes in
    /// (transfer benchmarks).
    /// </summary>
    public bool TryReserveImport(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, ResumePoint? resume = null, bool reuseCachedPrefix = true)
    {
        var seq = NewSequence(requestId, promptTokens, sampling, holdAfterPrefill: false, resume);
        if (!scheduler.TryReserveImport(seq, reuseCachedPrefix))
            return false;
        Track(seq, resume);
        return true;
    }

    /// <summary>
    /// Leading tokens of a reserved import whose KV this engine's prefix cache already held (whole blocks, never the
    /// last token): the sender exports only the blocks after them (<see cref="AddRequest"/>'s <c>receiverCachedTokens</c>).
    /// </summary>
    public int ImportCachedTokens(string requestId) => Find(requestId, SequenceStatus.Importing).ImportFromBlock * KvLayout.BlockSize;

    /// <summary>
    /// Host memory to assemble one layer group of incoming KV in before <see cref="ImportKv(string, int, int, KvImportBuffer)"/>.
    /// Thread-safe, unlike the rest of the engine: transfers fill these on their own threads.
    /// </summary>
    public KvImportBuffer RentImportBuffer(int bytes) => importBuffers.Rent(bytes);

    /// <summary>Writes imported KV (as <see cref="ExportKv"/> lays it out) for a range of layers into the reserved blocks.</summary>
    public void ImportKv(string requestId, int firstLayer, int endLayer, ReadOnlySpan<byte> bytes)
    {
        CheckImport(requestId, firstLayer, endLayer, bytes.Length);
        using var buffer = importBuffers.Rent(bytes.Length);
        bytes.CopyTo(buffer.Span);
        ImportKv(requestId, firstLayer, endLayer, buffer);
    }

    /// <summary>Writes a layer group assembled in an import buffer into the reserved blocks, reading the buffer in place.</summary>
    public void ImportKv(string requestId, int firstLayer, int endLayer, KvImportBuffer buffer)
    {
        var (seq, numBlocks) = CheckImport(requestId, firstLayer, endLayer, buffer.Length);
        var layout = KvLayout;
        using var data = buffer.View([endLayer - firstLayer, numBlocks, layout.BlockSize, 2, layout.NumKvHeads, layout.HeadDim], layout.ElementSize);
        runner.Cache.Import(seq.BlockTable.GetRange(seq.ImportFromBlock, numBlocks), firstLayer, data);
    }

    /// <summary>Imports an export from an engine in this process straight from its buffer (no staging copy).</summary>
    public void ImportKv(string requestId, KvExport export)
    {
        var (seq, numBlocks) = CheckImport(requestId, export.FirstLayer, export.EndLayer, export.ByteLength);
        if (export.Layout != KvLayout)
            throw new ArgumentException($"KV layout mismatch: export has {export.Layout}, this engine has {KvLayout}.");
        if (export.FirstBlock != seq.ImportFromBlock)
            throw new ArgumentException($"KV for {requestId} starts at block {export.FirstBlock}; this engine holds its first {seq.ImportFromBlock} blocks.");
        runner.Cache.Import(seq.BlockTable.GetRange(seq.ImportFromBlock, numBlocks), export.FirstLayer, export.Tensor);
    }

    (Sequence Seq, int NumBlocks) CheckImport(string requestId, int firstLayer, int endLayer, long byteLength)
    {
        var seq = Find(requestId, SequenceStatus.Importing);
        CheckLayers(firstLayer, endLayer);
        var numBlocks = seq.NumBlocks(KvLayout.BlockSize) - seq.ImportFromBlock;
        var expected = KvLayout.BlockBytesPerLayer * numBlocks * (endLayer - firstLayer);
        if (byteLength != expected)
            throw new ArgumentException($"KV for {requestId} layers [{firstLayer}, {endLayer}) should be {expected} bytes ({numBlocks} blocks after the {seq.ImportFromBlock} cached here) but is {byteLength}.");
        return (seq, numBlocks);
    }

    /// <summary>Admits an imported request into the running batch with the first token the prefill engine sampled.</summary>
    /// <param name="prefillCachedTokens">Prompt tokens the prefill engine found in its prefix cache (what the request's output reports as cached).</param>
    public RequestOutput CompleteImport(string requestId, int firstToken, TokenLogprob? firstLogprob = null, int? prefillCachedTokens = null)
    {
        var seq = Find(requestId, SequenceStatus.Importing);
        // A peer's bad token would fail the next step for every request in the batch: refuse it here, alone.
        limits.CheckTokens([firstToken, .. firstLogprob?.Top.Select(t => t.TokenId) ?? []], "first token id", nameof(firstToken));
        if (firstLogprob is not null && firstLogprob.TokenId != firstToken)
            throw new ArgumentException($"the first token's logprob is for token {firstLogprob.TokenId}, not {firstToken}.", nameof(firstLogprob));
        scheduler.Imported(seq);
        if (prefillCachedTokens is { } cachedThere)
            seq.NumCachedTokens = Math.Clamp(cachedThere, 0, seq.PromptLength);
        return Postprocess(seq, new Sampler.Result(firstToken, firstLogprob));
    }

    Sequence Find(string requestId, SequenceStatus status)
    {
        if (!live.TryGetValue(requestId, out var seq))
            throw new KeyNotFoundException($"request '{requestId}' is not in this engine.");
        if (seq.Status != status)
            throw new InvalidOperationException($"request '{requestId}' is {seq.Status}, not {status}.");
        return seq;
    }

    void CheckLayers(int firstLayer, int endLayer)
    {
        if (firstLayer < 0 || endLayer > Config.NumLayers || firstLayer >= endLayer)
            throw new ArgumentOutOfRangeException(nameof(firstLayer), $"layer range [{firstLayer}, {endLayer}) is not inside [0, {Config.NumLayers}).");
    }
}
