using Serving.LoadTest.Soak.Client;
using Serving.LoadTest.Soak.Requests;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Soak;

public sealed class ResponseCheckTests
{
    static SoakRequest Request(int n = 1, string? invalid = null, ApiKind api = ApiKind.Completions) =>
        new(0, api, false, n, 10, [], invalid, null);

    [Fact]
    public void ErrorStatus_OpenAiErrorWith429_IsACleanError()
    {
        var (kind, detail) = ResponseCheck.ErrorStatus(Request(), 429, """{"error":{"message":"too many requests","type":"rate_limit","code":"rate_limited"}}""");

        Assert.Equal((OutcomeKind.CleanError, "429 rate_limited: too many requests"), (kind, detail));
    }

    [Fact]
    public void ErrorStatus_400ForAnInvalidRequest_IsTheExpectedRefusal()
    {
        Assert.Equal(OutcomeKind.Rejected, ResponseCheck.ErrorStatus(Request(invalid: "top_p 1.5"), 400, """{"error":{"message":"'top_p' must be between 0 and 1"}}""").Kind);
    }

    [Fact]
    public void ErrorStatus_500EvenWithAnErrorObject_IsAViolation()
    {
        var (kind, detail) = ResponseCheck.ErrorStatus(Request(), 500, """{"error":{"message":"internal error; the server log has the details under request X"}}""");

        Assert.Equal(OutcomeKind.Violation, kind);
        Assert.StartsWith("500 (an unhandled failure)", detail);
    }

    [Theory]
    [InlineData(503, "<html>Service Unavailable</html>", "without an OpenAI error object")]
    [InlineData(502, "", "(empty body)")]
    [InlineData(400, "System.InvalidOperationException: boom\n   at Serving.Gateway.Endpoints.Foo.Handle(HttpContext http)", "stack trace")]
    public void ErrorStatus_BodiesThatAreNoOpenAiError_AreViolations(int status, string body, string expected)
    {
        var (kind, detail) = ResponseCheck.ErrorStatus(Request(), status, body);

        Assert.Equal(OutcomeKind.Violation, kind);
        Assert.Contains(expected, detail);
    }

    [Fact]
    public void Completion_NChoicesEachFinished_IsCompleted()
    {
        const string Body = """{"choices":[{"index":1,"message":{"role":"assistant","content":"b"},"finish_reason":"length"},{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"stop"}],"usage":{"completion_tokens":5}}""";

        Assert.Equal(OutcomeKind.Completed, ResponseCheck.Completion(Request(n: 2, api: ApiKind.Chat), Body).Kind);
    }

    [Theory]
    [InlineData("", "an empty 200")]
    [InlineData("""{"choices":[]}""", "without choices")]
    [InlineData("""{"choices":[{"index":0,"text":"a","finish_reason":"length"}],"usage":{"completion_tokens":1}}""", "1 choices for n = 2")]
    [InlineData("""{"choices":[{"index":0,"text":"a","finish_reason":null},{"index":1,"text":"b","finish_reason":"stop"}],"usage":{"completion_tokens":2}}""", "choice 0 without a finish_reason")]
    [InlineData("""{"choices":[{"index":0,"text":"a","finish_reason":"stop"},{"index":0,"text":"b","finish_reason":"stop"}],"usage":{"completion_tokens":2}}""", "choice index 0 for n = 2")]
    [InlineData("""{"choices":[{"index":0,"text":"","finish_reason":"length"},{"index":1,"text":"","finish_reason":"length"}],"usage":{"completion_tokens":0}}""", "empty completion")]
    public void Completion_BrokenBodies_AreViolations(string body, string expected)
    {
        var (kind, detail) = ResponseCheck.Completion(Request(n: 2), body);

        Assert.Equal(OutcomeKind.Violation, kind);
        Assert.Contains(expected, detail);
    }
}
