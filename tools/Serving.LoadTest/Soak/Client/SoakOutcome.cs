using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Soak.Client;

/// <summary>How one request ended, and when (seconds since the soak started).</summary>
/// <param name="Invalid">The request's deliberate mistake, or null.</param>
/// <param name="Detail">For an error, its status and message; for a violation, what was wrong.</param>
internal sealed record SoakOutcome(
    int Index,
    OutcomeKind Kind,
    ApiKind Api,
    bool Stream,
    int N,
    int PromptWords,
    string? Invalid,
    int? Status,
    string? Detail,
    double StartS,
    double EndS,
    int Chunks);
