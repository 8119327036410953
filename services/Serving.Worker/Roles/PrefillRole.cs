using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Worker.Runtime;
using Serving.Worker.Telemetry;
using Serving.Worker.Transfer;

namespace Serving.Worker.Roles;

/// <summary>
/// The prefill side of disaggregation: computes a prompt layer group by layer group, sends each group's KV towards
/// the decode worker as soon as it is computed, then the first token sampled here.
/// </summary>
public sealed class PrefillRole(EngineLoop loop, IKvTransport transport, KvEndpoint endpoint) : IPrefillService
{
    public EngineLoop Loop { get; } = loop;
    public KvEndpoint Endpoint { get; } = endpoint;

    public async Task PrefillAsync(GenerationRequest request, KvEndpoint target, string transferToken, int cachedTokens, CancellationToken cancellationToken)
    {
        using var activity = WorkerTelemetry.Activities.StartActivity("prefill");
        activity?.SetTag("serving.request_id", request.RequestId);
        activity?.SetTag("serving.prompt_tokens", request.KnownTokens);
        activity?.SetTag("serving.kv.receiver_cached_tokens", cachedTokens);
        var header = new KvTransferHeader(request.RequestId, target.WorkerId, Loop.Description.KvLayout, request.KnownTokens, transferToken, cachedTokens);
        await using var sender = await transport.OpenAsync(target, header, cancellationToken);
        RequestOutput? first = null;
        // The stream ends with the first token; every group is exported (copied) by then and the blocks are freed.
        // Only the blocks after the target's cached prefix are exported; this engine still computes what its own cache lacks.
        await foreach (var output in Loop.StreamAsync(request, sender.Enqueue, cancellationToken, receiverCachedTokens: cachedTokens))
            first ??= output;
        if (first is null)
            throw new InvalidOperationException($"the prefill of request {request.RequestId} ended without a token.");
        await sender.CompleteAsync(new FirstToken(first.NewTokenIds[0], first.NewLogprobs?[0], first.CachedPromptTokens), cancellationToken);
    }
}
