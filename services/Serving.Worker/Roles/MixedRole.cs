using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Worker.Runtime;

namespace Serving.Worker.Roles;

/// <summary>A worker that runs a request whole: its prompt and its decodes in its own continuous batch.</summary>
public sealed class MixedRole(EngineLoop loop)
{
    public EngineLoop Loop { get; } = loop;

    public IAsyncEnumerable<RequestOutput> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken) =>
        Loop.StreamAsync(request, cancellationToken: cancellationToken);
}
