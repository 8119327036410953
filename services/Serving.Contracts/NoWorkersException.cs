namespace Serving.Contracts;

/// <summary>No live worker can take a request (none registered, or every one of a needed role is down).</summary>
[GenerateSerializer]
public sealed class NoWorkersException(string message) : Exception(message);
