using Serving.LoadTest.Workloads;

namespace Serving.LoadTest.Runner;

/// <summary>
/// A multi-turn run: the conversations, when each one's first turn is due (seconds from the start), the pause between
/// an answer and the next turn, an optional cap on requests in flight, and the rate conversations start at (null: not a rate).
/// </summary>
internal sealed record ConversationPlan(IReadOnlyList<ConversationScript> Conversations, double[] StartsS, double ThinkTimeS, int? MaxConcurrency, double? Rate)
{
    public int Requests => Conversations.Sum(c => c.Turns);
}
