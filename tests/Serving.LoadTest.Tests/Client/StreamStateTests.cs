using Serving.LoadTest.Client;

namespace Serving.LoadTest.Tests.Client;

public sealed class StreamStateTests
{
    static StreamState Apply(bool keepText, params string[] events)
    {
        var state = new StreamState(0, keepText);
        foreach (var data in events)
            state.Apply(new SseEvent(null, data, 1));
        return state;
    }

    [Fact]
    public void Apply_UsageWithCachedTokens_ReadsThem()
    {
        var s = Apply(false, """{"choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 24, "prompt_tokens_details": {"cached_tokens": 256}}}""");

        Assert.Equal((300, 24, 256), (s.UsagePrompt, s.UsageCompletion, s.UsageCached));
    }

    [Theory]
    [InlineData("""{"choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 24}}""")]
    [InlineData("""{"choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 24, "prompt_tokens_details": null}}""")]
    [InlineData("""{"choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 24, "prompt_tokens_details": {"audio_tokens": 0}}}""")]
    public void Apply_UsageWithoutCachedTokens_LeavesThemUnknown(string usage)
    {
        var s = Apply(false, usage);

        Assert.Equal(300, s.UsagePrompt);
        Assert.Null(s.UsageCached);
    }

    [Fact]
    public void Apply_ZeroCachedTokens_IsAReportOfNone()
    {
        Assert.Equal(0, Apply(false, """{"choices": [], "usage": {"prompt_tokens": 9, "prompt_tokens_details": {"cached_tokens": 0}}}""").UsageCached);
    }

    [Fact]
    public void Text_WhenKept_IsTheAnswerOfCompletionsAndChatChunks()
    {
        var completions = Apply(true, """{"choices": [{"text": " Hello"}]}""", """{"choices": [{"text": ","}]}""", """{"choices": [{"text": " world"}]}""");
        var chat = Apply(true, """{"choices": [{"delta": {"role": "assistant", "content": ""}}]}""", """{"choices": [{"delta": {"content": "Hi"}}]}""", """{"choices": [{"delta": {"content": " there"}}]}""");
        var notKept = Apply(false, """{"choices": [{"text": " Hello"}]}""");

        Assert.Equal(" Hello, world", completions.Text);
        Assert.Equal("Hi there", chat.Text);
        Assert.Null(notKept.Text);
        Assert.Equal(1, notKept.TextChunks);
    }
}
