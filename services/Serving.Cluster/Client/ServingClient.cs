using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Serving.Cluster.Abstractions;
using Serving.Worker.Roles;

namespace Serving.Cluster.Client;

/// <summary>
/// How a gateway runs a request on the cluster: the router assigns workers, the decode (or mixed) worker streams the
/// tokens. A worker that fails before the first token is routed around; after it, the request ends with the error.
/// </summary>
public sealed partial class ServingClient(IGrainFactory grains, ILogger<ServingClient> logger)
{
    const int Attempts = 3;

    public async IAsyncEnumerable<TokenChunk> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request = request.WithResolvedSeed();
        var router = grains.GetGrain<IRouterGrain>(0);
        var command = GenerateCommand.From(request);
        for (var attempt = 1; ; attempt++)
        {
            var assignment = await router.Assign(request.PromptTokens.Count);
            Log.Assigned(logger, request.RequestId, assignment.DecodeWorker, assignment.PrefillWorker ?? "(none)");
            var worker = grains.GetGrain<IWorkerGrain>(assignment.DecodeWorker);
            await using var chunks = worker.Generate(command, assignment.PrefillWorker, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var produced = false;
            while (true)
            {
                TokenChunk chunk;
                try
                {
                    if (!await chunks.MoveNextAsync())
                        yield break;
                    chunk = chunks.Current;
                }
                catch (Exception e) when (!produced && attempt < Attempts && !cancellationToken.IsCancellationRequested && e is not ArgumentException)
                {
                    Log.Rerouting(logger, e, request.RequestId, assignment.DecodeWorker, attempt);
                    await router.Remove(assignment.DecodeWorker);
                    break;
                }
                produced = true;
                yield return chunk;
            }
        }
    }

    public Task<WorkerStatus[]> WorkersAsync() => grains.GetGrain<IRouterGrain>(0).Workers();

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: decode on {DecodeWorker}, prefill on {PrefillWorker}.")]
        public static partial void Assigned(ILogger logger, string requestId, string decodeWorker, string prefillWorker);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: worker {WorkerId} failed before its first token (attempt {Attempt}); routing elsewhere.")]
        public static partial void Rerouting(ILogger logger, Exception e, string requestId, string workerId, int attempt);
    }
}
