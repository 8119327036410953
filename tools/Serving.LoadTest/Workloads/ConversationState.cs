using System.Text;

namespace Serving.LoadTest.Workloads;

/// <summary>
/// A conversation's history as it grows: each turn's request holds every earlier message, the answers the server
/// actually gave included, as chat messages (user and assistant alternating) and as one transcript for the completions
/// endpoint ("User: …\nAssistant:" + the answer + "\n"), so each turn's prompt begins with the previous prompt and answer.
/// </summary>
internal sealed class ConversationState(int conversation)
{
    readonly List<ChatMessage> messages = [];
    readonly StringBuilder transcript = new();
    int turn;

    /// <summary>The request of the next turn: the history and <paramref name="user"/>'s message.</summary>
    public WorkloadRequest Ask(int index, string user, int outputTokens)
    {
        if (messages.Count > 0 && messages[^1].Role == "user")
            throw new InvalidOperationException("the previous turn has no answer yet");
        messages.Add(new ChatMessage("user", user));
        transcript.Append("User: ").Append(user).Append("\nAssistant:");
        var prompt = transcript.ToString();
        return new WorkloadRequest(index, prompt, WordCorpus.EstimateTokens(prompt), outputTokens)
        {
            Messages = [.. messages],
            Tag = new RequestTag(Conversation: conversation, Turn: ++turn),
        };
    }

    /// <summary>Adds the answer to the last question, as the server sent it.</summary>
    public void Answered(string answer)
    {
        if (messages.Count == 0 || messages[^1].Role != "user")
            throw new InvalidOperationException("no question waits for an answer");
        messages.Add(new ChatMessage("assistant", answer));
        transcript.Append(answer).Append('\n');
    }
}
