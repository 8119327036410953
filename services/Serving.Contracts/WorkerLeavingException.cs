namespace Serving.Contracts;

/// <summary>
/// The worker's process is shutting down and its drain time is over: the request is handed back to the gateway,
/// which resumes it on another worker from the tokens already delivered.
/// </summary>
[GenerateSerializer]
public sealed class WorkerLeavingException(string message) : Exception(message);
