namespace Serving.Gateway;

/// <summary>What the gateway serves and how it admits requests.</summary>
public sealed record ServingGatewayOptions(string ModelName, string ModelFolder)
{
    /// <summary>Accepted bearer keys; empty leaves the API open.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Generation requests held at once before new ones get 429.</summary>
    public int MaxConcurrentRequests { get; init; } = 4096;
}
