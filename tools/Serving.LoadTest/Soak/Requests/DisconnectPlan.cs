namespace Serving.LoadTest.Soak.Requests;

/// <summary>
/// When the client goes away: a stream after <see cref="AfterChunks"/> content chunks (mid-stream), a plain request
/// <see cref="After"/> after it was sent (mid-generation).
/// </summary>
internal sealed record DisconnectPlan(int AfterChunks, TimeSpan After);
