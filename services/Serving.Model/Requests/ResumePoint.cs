namespace Serving.Model.Requests;

/// <summary>
/// Where a request stopped on another engine: the tokens it had already generated and how much of their text the
/// client has received. A request resumed from it continues exactly as it would have (same draws, same penalties).
/// </summary>
public sealed record ResumePoint(IReadOnlyList<int> OutputTokens, int EmittedChars);
