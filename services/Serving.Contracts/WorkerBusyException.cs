namespace Serving.Contracts;

/// <summary>
/// A worker refused a request because its queue is full (its engine's waiting list is at its bound, or no KV room
/// came free in time). Nothing ran: the gateway tries another worker, and when every one is busy the client gets 503
/// with Retry-After.
/// </summary>
[GenerateSerializer]
public sealed class WorkerBusyException(string message) : Exception(message);
