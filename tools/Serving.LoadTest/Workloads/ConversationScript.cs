namespace Serving.LoadTest.Workloads;

/// <summary>One conversation of a multi-turn workload: its user messages in order and the output tokens each answer may have.</summary>
internal sealed record ConversationScript(int Index, IReadOnlyList<string> UserTurns, IReadOnlyList<int> OutputTokens)
{
    public int Turns => UserTurns.Count;
}
