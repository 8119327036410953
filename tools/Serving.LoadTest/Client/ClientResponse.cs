using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Client;

/// <summary>
/// One request's outcome as the client saw it: the result, when it was sent (monotonic timestamp), the prompt tokens the
/// server said it took from its prefix cache (null when it said nothing), and the answer's text when it was asked to keep it.
/// </summary>
internal sealed record ClientResponse(RequestResult Result, long SentTimestamp, int? CachedTokens = null, string? Answer = null);
