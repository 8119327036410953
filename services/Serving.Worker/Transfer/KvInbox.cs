using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Serving.Engine.Core;
using Serving.Worker.Runtime;

namespace Serving.Worker.Transfer;

/// <summary>
/// A decode worker's receiving side: the requests it has reserved blocks for, the header check every transfer must
/// pass, and the imports it posts to the engine thread in arrival order.
/// </summary>
public sealed class KvInbox(string workerId, EngineLoop loop)
{
    // Requests with blocks reserved here, each with the admission its receiver waits for; closed once it is admitted.
    readonly ConcurrentDictionary<string, Expected> expected = new();
    readonly ConcurrentDictionary<string, StrongBox<long>> importedFor = new();
    long bytesImported;

    public string WorkerId { get; } = workerId;

    /// <summary>The dtype of this worker's KV, as transfers carry it.</summary>
    public string KvDType => loop.Description.KvLayout.DType;

    /// <summary>KV bytes written into this worker's pool by transfers so far.</summary>
    public long BytesImported => Interlocked.Read(ref bytesImported);

    /// <summary>
    /// Accepts transfers for this request from now on (after its blocks are reserved), from a sender that presents the
    /// returned transfer token: give it to the prefill worker assigned to the request, and to no one else.
    /// </summary>
    /// <param name="tokenCount">The tokens whose KV the reservation holds (the header must say the same).</param>
    /// <param name="cachedTokens">Leading tokens the reservation found in this worker's prefix cache: the sender skips their blocks (the header must say the same).</param>
    public string Expect(string requestId, int tokenCount, int cachedTokens = 0)
    {
        var token = KvTransferHeader.NewToken();
        importedFor[requestId] = new StrongBox<long>();
        expected[requestId] = new Expected(token, tokenCount, cachedTokens, loop.Description.KvLayout.NumLayers);
        return token;
    }

    /// <summary>
    /// Returns once the request is admitted into the decode batch with its first token, however its KV came in (a
    /// push, a local handoff or a pull); cancelled when the request is forgotten first.
    /// </summary>
    public Task AdmittedAsync(string requestId, CancellationToken cancellationToken) =>
        expected.TryGetValue(requestId, out var entry)
            ? entry.Admitted.Task.WaitAsync(cancellationToken)
            : Task.FromException(new KvTransferException($"worker '{WorkerId}' is not expecting KV for request '{requestId}'.", retryable: false));

    /// <summary>The KV bytes imported for a request, counted from <see cref="Expect"/>; the count is dropped as it is taken.</summary>
    public long TakeBytes(string requestId) => importedFor.TryRemove(requestId, out var bytes) ? Interlocked.Read(ref bytes.Value) : 0;

    /// <summary>Stops accepting transfers for the request (finished, failed over, or cancelled).</summary>
    public void Forget(string requestId)
    {
        if (expected.TryRemove(requestId, out var entry))
            entry.Admitted.TrySetCanceled();
    }

    /// <summary>
    /// Refuses a transfer this worker did not reserve for, one without the request's transfer token (a sender not
    /// assigned to it: <see cref="KvTransferException.Denied"/>, the reservation untouched), or one whose KV layout
    /// differs from the engine's.
    /// </summary>
    public void Check(KvTransferHeader header)
    {
        if (header.TargetWorker != WorkerId)
            throw new KvTransferException($"transfer for worker '{header.TargetWorker}' reached worker '{WorkerId}'.", retryable: false);
        var entry = CheckExpected(header.RequestId);
        if (!KvTransferHeader.TokensMatch(entry.Token, header.TransferToken))
            throw KvTransferException.NotAssigned(header.RequestId, "the sender");
        if (header.TokenCount != entry.TokenCount)
            throw new KvTransferException(
                $"the transfer of request '{header.RequestId}' carries {header.TokenCount} tokens; worker '{WorkerId}' reserved blocks for {entry.TokenCount}.", retryable: false);
        if (header.CachedTokens != entry.CachedTokens)
            throw new KvTransferException(
                $"the transfer of request '{header.RequestId}' skips {header.CachedTokens} cached tokens; worker '{WorkerId}' holds {entry.CachedTokens}.", retryable: false);
        var mine = loop.Description.KvLayout;
        if (header.Layout != mine)
            throw new KvTransferException(
                $"KV layout mismatch for request '{header.RequestId}': sender has {header.Layout}, worker '{WorkerId}' has {mine}.", retryable: false);
    }

    /// <summary>
    /// Host memory for one incoming layer group, filled off the engine thread; refuses a layer range or size no
    /// request could have in this engine's pool (the exact size is checked at import).
    /// </summary>
    public KvImportBuffer RentBuffer(int firstLayer, int endLayer, long groupBytes)
    {
        var layout = loop.Description.KvLayout;
        if (firstLayer < 0 || endLayer > layout.NumLayers || firstLayer >= endLayer)
            throw new ArgumentException($"layer range [{firstLayer}, {endLayer}) is not inside [0, {layout.NumLayers}).");
        var blockBytes = layout.BlockBytesPerLayer * (endLayer - firstLayer);
        if (groupBytes <= 0 || groupBytes % blockBytes != 0 || groupBytes / blockBytes > loop.Description.NumBlocks || groupBytes > int.MaxValue)
            throw new ArgumentException($"a group of {groupBytes} bytes for layers [{firstLayer}, {endLayer}) does not fit worker '{WorkerId}'s KV pool.");
        return loop.Engine.RentImportBuffer((int)groupBytes);
    }

    /// <summary>Writes one assembled layer group into the reserved blocks (on the engine thread); disposes the buffer.</summary>
    public Task ImportAsync(string requestId, int firstLayer, int endLayer, KvImportBuffer buffer) =>
        ImportAsync(requestId, firstLayer, endLayer, buffer, buffer.Length, e => e.ImportKv(requestId, firstLayer, endLayer, buffer));

    /// <summary>Imports a layer group exported by an engine in this process, straight from its buffer; disposes the export.</summary>
    public Task ImportAsync(string requestId, KvExport export) =>
        ImportAsync(requestId, export.FirstLayer, export.EndLayer, export, export.ByteLength, e => e.ImportKv(requestId, export));

    // Either source is disposed exactly once: here when the request is not expected, else on the engine thread after the import.
    Task ImportAsync(string requestId, int firstLayer, int endLayer, IDisposable source, long bytes, Action<LlmEngine> import)
    {
        Expected entry;
        try
        {
            entry = CheckExpected(requestId);
        }
        catch
        {
            source.Dispose();
            throw;
        }
        return loop.InvokeAsync(e =>
        {
            using (source)
            {
                import(e);
                entry.Imported(firstLayer, endLayer);
                Interlocked.Add(ref bytesImported, bytes);
                Count(requestId, bytes);
            }
        });
    }

    /// <summary>Admits the request into the decode batch with the first token; its outputs flow from here.</summary>
    public async Task CompleteAsync(string requestId, FirstToken first)
    {
        var entry = CheckExpected(requestId);
        // A sender that skipped a layer group would admit the request over stale blocks: every layer must have come in.
        if (entry.MissingLayers() is { } missing)
            throw new KvTransferException($"the KV of request '{requestId}' ended without layers {missing}; nothing is admitted.", retryable: false);
        // Nothing more is imported for it from here on.
        entry.Closed = true;
        try
        {
            await loop.CompleteImportAsync(requestId, first.TokenId, first.Logprob, first.CachedTokens);
            entry.Admitted.TrySetResult();
        }
        catch (Exception e)
        {
            entry.Admitted.TrySetException(e);
            throw;
        }
        finally
        {
            expected.TryRemove(new KeyValuePair<string, Expected>(requestId, entry));
        }
    }

    Expected CheckExpected(string requestId) =>
        expected.TryGetValue(requestId, out var entry) && !entry.Closed
            ? entry
            : throw new KvTransferException($"worker '{WorkerId}' is not expecting KV for request '{requestId}' (cancelled or failed over).", retryable: false);

    sealed class Expected(string token, int tokenCount, int cachedTokens, int numLayers)
    {
        readonly bool[] imported = new bool[numLayers];

        public string Token { get; } = token;
        public int TokenCount { get; } = tokenCount;
        public int CachedTokens { get; } = cachedTokens;

        /// <summary>Records layers written into the reservation (on the engine thread, after the import).</summary>
        public void Imported(int firstLayer, int endLayer)
        {
            lock (imported)
                Array.Fill(imported, true, firstLayer, endLayer - firstLayer);
        }

        /// <summary>The first run of layers no import covered, as text; null when every layer is in.</summary>
        public string? MissingLayers()
        {
            lock (imported)
            {
                var first = Array.IndexOf(imported, false);
                if (first < 0)
                    return null;
                var end = Array.IndexOf(imported, true, first);
                return $"[{first}, {(end < 0 ? imported.Length : end)})";
            }
        }

        public TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile bool Closed;
    }

    void Count(string requestId, long bytes)
    {
        if (importedFor.TryGetValue(requestId, out var total))
            Interlocked.Add(ref total.Value, bytes);
    }
}
