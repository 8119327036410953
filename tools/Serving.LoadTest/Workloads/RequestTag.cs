namespace Serving.LoadTest.Workloads;

/// <summary>
/// What the load tester records about one request beyond Serving.Planning's <c>RequestResult</c>: its conversation
/// (from 0) and turn (1 is the opening), or its shared-prefix group (from 0) and that prefix's length in tokens; and,
/// once answered, the prompt tokens the server took from its prefix cache (null when it said nothing).
/// </summary>
internal sealed record RequestTag(int? Conversation = null, int? Turn = null, int? Group = null, int? PrefixTokens = null, int? CachedTokens = null)
{
    public static readonly RequestTag None = new();
}
