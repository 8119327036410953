using Serving.Contracts;
using Serving.Worker.Transfer;

namespace Serving.Worker.Roles;

/// <summary>A prefill worker as a decode worker calls it: prefill the prompt and send its KV and first token to the target.</summary>
public interface IPrefillService
{
    /// <summary>The prefill worker: its id and its process's KV server (where a pull reaches it).</summary>
    KvEndpoint Endpoint { get; }

    /// <param name="transferToken">The token the target issued for this request (<see cref="KvInbox.Expect"/>): the KV it takes.</param>
    /// <param name="cachedTokens">Leading tokens (whole blocks) the target's prefix cache holds: their KV is not sent.</param>
    Task PrefillAsync(GenerationRequest request, KvEndpoint target, string transferToken, int cachedTokens, CancellationToken cancellationToken);
}
