using Serving.Worker.Runtime;
using Serving.Worker.Telemetry;
using Serving.Worker.Transfer;

namespace Serving.Worker.Roles;

/// <summary>
/// The prefill side of disaggregation: computes a prompt layer group by layer group, streams each group's KV to the
/// decode worker as soon as it is computed, then sends the first token sampled here.
/// </summary>
public sealed class PrefillRole(EngineLoop loop, IKvTransport transport, string? pullAddress = null) : IPrefillService
{
    public EngineLoop Loop { get; } = loop;

    /// <summary>Set when the transport is <c>grpc-pull</c>: this process's KV server, where decode workers pull from.</summary>
    public string? PullAddress { get; } = pullAddress;

    public async Task PrefillAsync(GenerationRequest request, KvEndpoint target, CancellationToken cancellationToken)
    {
        using var activity = WorkerTelemetry.Activities.StartActivity("prefill");
        activity?.SetTag("serving.request_id", request.RequestId);
        activity?.SetTag("serving.prompt_tokens", request.KnownTokens);
        var header = new KvTransferHeader(request.RequestId, target.WorkerId, Loop.Engine.KvLayout, request.KnownTokens);
        await using var sender = await transport.OpenAsync(target, header, cancellationToken);
        var outputs = Loop.Submit(request.RequestId, request.PromptTokens, request.Sampling, sender.Enqueue, request.Resume);
        try
        {
            var first = await outputs.ReadAsync(cancellationToken);
            // Every group is exported (copied) by the time the first token exists: the blocks can go now.
            Loop.Release(request.RequestId);
            await sender.CompleteAsync(new FirstToken(first.NewTokenIds[0], first.NewLogprobs?[0]), cancellationToken);
        }
        catch
        {
            Loop.Abort(request.RequestId);
            throw;
        }
    }
}
