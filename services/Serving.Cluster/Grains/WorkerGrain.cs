using System.Runtime.CompilerServices;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Serving.Contracts;
using Serving.Cluster.Placement;
using Serving.Cluster.Streaming;
using Serving.Cluster.Workers;
using Serving.Engine.Core;
using Serving.Worker.Roles;
using Serving.Worker.Transfer;

namespace Serving.Cluster.Grains;

/// <summary>
/// The grain in front of one local worker. Reentrant: it holds no state of its own, and many requests stream
/// through it at once into the worker's continuous batch. Their tokens do not pass through this activation: each
/// request's stream runs on the thread pool and reaches its gateway batched with the silo's other streams there
/// (<see cref="TokenStreams"/>).
/// </summary>
[Reentrant, WorkerPlacement, GrainDirectory(GrainDirectoryName = ClusterWiring.WorkerDirectory)]
internal sealed class WorkerGrain(LocalWorkers workers, ServingClusterOptions options, TokenStreams streams, IGrainFactory grains) : Grain, IWorkerGrain
{
    LocalWorker Worker => workers.Get(WorkerKey.Name(this.GetPrimaryKeyString()));

    public Task Open(long streamId, ITokenSink sink, GenerationRequest request, string? prefillWorker, string? prefillKvAddress)
    {
        // The stream runs off this activation (see TokenStreams): its refusals and failures reach the gateway through it.
        streams.Start(sink, streamId, token => Generate(request, prefillWorker, prefillKvAddress, token));
        return Task.CompletedTask;
    }

    public Task Close(long streamId, ITokenSink sink)
    {
        streams.Close(sink, streamId);
        return Task.CompletedTask;
    }

    async IAsyncEnumerable<TokenChunk> Generate(GenerationRequest request, string? prefillWorker, string? prefillKvAddress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var worker = Worker;
        ThrowIfUnavailable(worker);
        // A bounded queue: a request beyond it is refused before it holds anything, and the gateway tries elsewhere.
        if (worker.Loop.Load.Waiting >= options.MaxWaiting)
            throw new WorkerBusyException($"worker {worker.Key} has {options.MaxWaiting} requests waiting already.");
        using var tracked = worker.Track();
        // Past the drain time of a stopping process, or once its engine is stuck, the request ends here and the
        // gateway resumes it elsewhere.
        using var handover = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, worker.Handover, worker.Stall);
        var outputs = prefillWorker is not null
            ? worker.Decode.GenerateAsync(request, new GrainPrefillService(grains, prefillWorker, new KvEndpoint(prefillWorker,
                prefillKvAddress ?? throw new ArgumentException($"prefill worker {prefillWorker} was assigned without its KV address."))), handover.Token)
            : worker.Mixed.GenerateAsync(request, handover.Token);
        await using var chunks = outputs.GetAsyncEnumerator(handover.Token);
        while (true)
        {
            try
            {
                if (!await chunks.MoveNextAsync())
                    yield break;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && (worker.Handover.IsCancellationRequested || worker.Stalled))
            {
                ThrowIfUnavailable(worker);
                throw;
            }
            yield return ToChunk(chunks.Current);
        }
    }

    public async Task Prefill(GenerationRequest request, string decodeWorker, string kvAddress, string transferToken, int cachedTokens, CancellationToken cancellationToken)
    {
        var worker = Worker;
        ThrowIfUnavailable(worker);
        using var tracked = worker.Track();
        using var handover = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, worker.Handover, worker.Stall);
        try
        {
            await worker.Prefill.PrefillAsync(request, new KvEndpoint(decodeWorker, kvAddress), transferToken, cachedTokens, handover.Token);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && (worker.Handover.IsCancellationRequested || worker.Stalled))
        {
            ThrowIfUnavailable(worker);
            throw;
        }
    }

    /// <summary>
    /// A stopping process past its drain time hands the request back (<see cref="WorkerLeavingException"/>: nothing
    /// failed); a stuck engine fails it, so the gateway resumes it elsewhere and counts the failure against this worker.
    /// </summary>
    static void ThrowIfUnavailable(LocalWorker worker)
    {
        if (worker.Handover.IsCancellationRequested)
            throw new WorkerLeavingException($"worker {worker.Key} is shutting down and its drain time is over; the request continues on another worker.");
        if (worker.Stalled)
            throw new InvalidOperationException($"worker {worker.Key}'s engine has made no progress for too long; the request continues on another worker.");
    }

    public Task<bool> Reconfigure(WorkerRole role, int layerGroups, TimeSpan drainTimeout) =>
        Worker.ReconfigureAsync(role, layerGroups, drainTimeout);

    /// <summary>An engine output as this grain streams it back.</summary>
    static TokenChunk ToChunk(RequestOutput o) => new(
        [.. o.NewTokenIds],
        o.NewText,
        o.NewLogprobs?.Select(TokenLogprobMessage.From).ToArray(),
        o.Finished,
        o.FinishReason?.ToString().ToLowerInvariant(),
        o.PromptTokens,
        o.OutputTokens,
        o.CachedPromptTokens);

    /// <summary>
    /// A prefill worker reached through its grain, wherever its silo is. A call that fails (not one cancelled because
    /// the receiving side failed first) counts against it with the router, whose breaker then keeps prompts off it.
    /// </summary>
    sealed class GrainPrefillService(IGrainFactory grains, string prefillWorker, KvEndpoint endpoint) : IPrefillService
    {
        public KvEndpoint Endpoint { get; } = endpoint;

        public async Task PrefillAsync(GenerationRequest request, KvEndpoint target, string transferToken, int cachedTokens, CancellationToken cancellationToken)
        {
            try
            {
                await grains.GetGrain<IWorkerGrain>(prefillWorker).Prefill(request, target.WorkerId, target.Address, transferToken, cachedTokens, cancellationToken);
            }
            catch (Exception e) when (e is not (OperationCanceledException or WorkerLeavingException) && !cancellationToken.IsCancellationRequested)
            {
                // Best effort, not awaited by the request: the router also drops a worker that stops reporting.
                _ = grains.GetGrain<IRouterGrain>(0).Failed(prefillWorker).ContinueWith(_ => { }, TaskScheduler.Default);
                throw;
            }
        }
    }
}
