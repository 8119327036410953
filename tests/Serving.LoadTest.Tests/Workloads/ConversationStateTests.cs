using Serving.LoadTest.Workloads;

namespace Serving.LoadTest.Tests.Workloads;

public sealed class ConversationStateTests
{
    [Fact]
    public void Ask_AfterEachAnswer_SendsTheWholeHistoryWithTheAnswers()
    {
        var state = new ConversationState(conversation: 3);

        var first = state.Ask(10, "long text\n\nwhat is it?", 24);
        state.Answered(" It is a text.");
        var second = state.Ask(11, "why?", 16);
        state.Answered(" Because.");
        var third = state.Ask(12, "and then?", 8);

        Assert.Equal([("user", "long text\n\nwhat is it?")], first.Messages!.Select(m => (m.Role, m.Content)));
        Assert.Equal(
            [("user", "long text\n\nwhat is it?"), ("assistant", " It is a text."), ("user", "why?"), ("assistant", " Because."), ("user", "and then?")],
            third.Messages!.Select(m => (m.Role, m.Content)));
        // The completions transcript: each prompt begins with the previous prompt and its answer, so a prefix cache can serve it.
        Assert.Equal("User: long text\n\nwhat is it?\nAssistant:", first.Prompt);
        Assert.StartsWith(first.Prompt + " It is a text.\n", second.Prompt);
        Assert.StartsWith(second.Prompt + " Because.\n", third.Prompt);
        Assert.EndsWith("User: and then?\nAssistant:", third.Prompt);
        Assert.Equal([(3, 1), (3, 2), (3, 3)], new[] { first, second, third }.Select(r => (r.Tag.Conversation!.Value, r.Tag.Turn!.Value)));
        Assert.Equal([10, 11, 12], new[] { first, second, third }.Select(r => r.Index));
        Assert.Equal(8, third.OutputTokens);
        Assert.True(third.PromptTokens > second.PromptTokens);
    }

    [Fact]
    public void Ask_BeforeThePreviousAnswer_IsRefused()
    {
        var state = new ConversationState(0);
        state.Ask(0, "hello?", 4);

        Assert.Throws<InvalidOperationException>(() => state.Ask(1, "again?", 4));
        Assert.Throws<InvalidOperationException>(() => new ConversationState(0).Answered("nothing was asked"));
    }
}
