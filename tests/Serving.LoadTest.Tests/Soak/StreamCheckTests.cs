using Serving.LoadTest.Client;
using Serving.LoadTest.Soak.Client;

namespace Serving.LoadTest.Tests.Soak;

public sealed class StreamCheckTests
{
    const string Usage = """{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}""";

    static string Text(int choice, string text, string? finish = null) =>
        $$"""{"choices":[{"index":{{choice}},"text":"{{text}}","finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]}""";

    static string Delta(int choice, string content, string? finish = null) =>
        $$"""{"choices":[{"index":{{choice}},"delta":{"content":"{{content}}"},"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]}""";

    static (OutcomeKind Kind, string? Detail) Judge(int n, params string[] events)
    {
        var check = new StreamCheck(n, wantUsage: true);
        foreach (var data in events)
            check.Apply(new SseEvent(null, data, 0));
        return check.End();
    }

    [Fact]
    public void End_EveryChoiceFinishedThenUsageAndDone_IsCompleted()
    {
        var verdict = Judge(2, Text(0, " a"), Text(1, " b"), Text(0, " c", "length"), Delta(1, "", "stop"), Usage, "[DONE]");

        Assert.Equal(OutcomeKind.Completed, verdict.Kind);
    }

    [Fact]
    public void End_TokensAfterFinishReason_IsAViolationNamingTheChoice()
    {
        var verdict = Judge(2, Text(1, " a", "length"), Text(0, " b", "length"), Text(1, " late"), Usage, "[DONE]");

        Assert.Equal(OutcomeKind.Violation, verdict.Kind);
        Assert.Contains("tokens after finish_reason 'length' on choice 1", verdict.Detail);
    }

    [Fact]
    public void End_TextInTheFinishingChunkItself_IsAllowed()
    {
        Assert.Equal(OutcomeKind.Completed, Judge(1, Delta(0, " last", "length"), Usage, "[DONE]").Kind);
    }

    [Fact]
    public void End_StreamCutBeforeDone_IsAViolation()
    {
        var verdict = Judge(1, Text(0, " a"), Text(0, " b"));

        Assert.Equal((OutcomeKind.Violation, "the stream ended without [DONE] or an error event"), verdict);
    }

    [Fact]
    public void End_DoneBeforeAChoiceFinished_IsAViolation()
    {
        var verdict = Judge(3, Text(0, " a", "length"), Text(2, " b", "stop"), Text(1, " c"), Usage, "[DONE]");

        Assert.Equal(OutcomeKind.Violation, verdict.Kind);
        Assert.Contains("choice(s) 1", verdict.Detail);
    }

    [Fact]
    public void End_ErrorEventThenDone_IsACleanError()
    {
        var verdict = Judge(1, Text(0, " a"), """{"error":{"message":"the decode worker failed","type":"server_error","code":"worker_failed"}}""", "[DONE]");

        Assert.Equal((OutcomeKind.CleanError, "stream error: worker_failed: the decode worker failed"), verdict);
    }

    [Fact]
    public void End_ErrorEventWithAStackTrace_IsAViolation()
    {
        var verdict = Judge(1, """{"error":{"message":"boom\n   at Serving.Gateway.Foo.Bar(Int32 x) in /src/Foo.cs:line 12"}}""", "[DONE]");

        Assert.Equal(OutcomeKind.Violation, verdict.Kind);
        Assert.Contains("stack trace", verdict.Detail);
    }

    [Fact]
    public void End_AnEventAfterDone_IsAViolation()
    {
        var verdict = Judge(1, Text(0, " a", "stop"), Usage, "[DONE]", Text(0, " again"));

        Assert.Equal(OutcomeKind.Violation, verdict.Kind);
        Assert.StartsWith("an event after [DONE]", verdict.Detail);
    }

    [Fact]
    public void End_NothingGeneratedButFinishedForLength_IsAnEmptyCompletion()
    {
        var verdict = Judge(1, Text(0, "", "length"), """{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0}}""", "[DONE]");

        Assert.Equal(OutcomeKind.Violation, verdict.Kind);
        Assert.Contains("empty completion", verdict.Detail);
    }

    [Fact]
    public void End_NothingGeneratedBecauseItStoppedAtOnce_IsCompleted()
    {
        var verdict = Judge(1, Text(0, "", "stop"), """{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}""", "[DONE]");

        Assert.Equal(OutcomeKind.Completed, verdict.Kind);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"choices":[{"index":2,"text":"x","finish_reason":null}]}""", "choice 2 of n = 1")]
    [InlineData("""{"id":"x"}""", "neither choices nor usage")]
    [InlineData("""{"choices":[{"index":1.5,"text":"x","finish_reason":null}]}""", "choice -1 of n = 1")]
    [InlineData("""{"choices":[3]}""", "choice -1 of n = 1")]
    public void End_MalformedEvents_AreViolations(string data, string expected)
    {
        var verdict = Judge(1, data, Text(0, " a", "stop"), Usage, "[DONE]");

        Assert.Equal(OutcomeKind.Violation, verdict.Kind);
        Assert.Contains(expected, verdict.Detail);
    }

    [Fact]
    public void End_NoUsageChunkThoughAskedFor_IsAViolation()
    {
        Assert.Equal(OutcomeKind.Violation, Judge(1, Text(0, " a", "length"), "[DONE]").Kind);
    }
}
