using System.Text;
using Serving.Gateway.Errors;
using Serving.Gateway.Requests;

namespace Serving.Gateway.Tests.Requests;

public sealed class JsonBodyTests
{
    // Found by RequestFuzzTests: {"prompt":"Hi","tool_choice":"x\udfff"} was a 500 (InvalidOperationException from GetString).
    [Theory]
    [InlineData("""{"prompt": "x\udfff"}""")]
    [InlineData("""{"prompt": "\ud800"}""")]
    [InlineData("""{"prompt": "\udc00\ud800"}""")]
    [InlineData("""{"prompt": "Hi", "tool_choice": "x\udfff"}""")]
    [InlineData("""{"prompt": "Hi", "chat_template_kwargs": {"deep": ["\ud83e"]}}""")]
    [InlineData("""{"\ud800": 1}""")]
    public void Parse_AnEscapedLoneSurrogate_Is400_BeforeAnyFieldIsRead(string json)
    {
        var e = Assert.Throws<ApiException>(() => JsonBody.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(400, e.Status);
        Assert.Contains("lone surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AnEscapedSurrogatePair_IsText()
    {
        using var body = JsonBody.Parse(Encoding.UTF8.GetBytes("""{"prompt": "\ud83e\udd99 llama"}"""));

        Assert.Equal("🦙 llama", body.String("prompt"));
    }
}
