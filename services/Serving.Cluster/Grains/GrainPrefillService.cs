using Serving.Contracts;
using Serving.Worker.Roles;
using Serving.Worker.Transfer;

namespace Serving.Cluster.Grains;

/// <summary>A prefill worker reached through its grain, wherever its silo is.</summary>
internal sealed class GrainPrefillService(IWorkerGrain prefill, KvEndpoint endpoint) : IPrefillService
{
    public KvEndpoint Endpoint { get; } = endpoint;

    public Task PrefillAsync(GenerationRequest request, KvEndpoint target, CancellationToken cancellationToken) =>
        prefill.Prefill(request, target.WorkerId, target.Address, cancellationToken);
}
