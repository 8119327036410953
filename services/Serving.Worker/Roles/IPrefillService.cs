using Serving.Worker.Transfer;

namespace Serving.Worker.Roles;

/// <summary>A prefill worker as a decode worker calls it: prefill the prompt and push its KV and first token to the target.</summary>
public interface IPrefillService
{
    Task PrefillAsync(GenerationRequest request, KvEndpoint target, CancellationToken cancellationToken);

    /// <summary>Where the decode worker pulls this prefill worker's KV from; null when the prefill worker pushes it.</summary>
    string? PullAddress => null;
}
