using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Templates;

public sealed class MistralTemplateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_MistralV01MultiTurn_MatchesDocumentedFormat(bool addGenerationPrompt)
    {
        var template = Chat.Load("mistral-7b-instruct-v0.1.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: false), addGenerationPrompt, "<s>", "</s>"));

        // v0.1 has no generation prompt and puts a space after </s>.
        Assert.Equal("<s>[INST] Hello, how are you? [/INST]I'm doing great. How can I help you today?</s> [INST] Tell me a joke. [/INST]", prompt);
    }

    [Fact]
    public void Render_MistralV01SystemMessage_RaisesTheTemplatesMessage()
    {
        var template = Chat.Load("mistral-7b-instruct-v0.1.jinja");

        var error = Assert.Throws<ChatTemplateRaiseException>(
            () => template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), true, "<s>", "</s>")));

        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }

    [Fact]
    public void Render_MistralV01ToolRole_RaisesOnlyUserAndAssistant()
    {
        var template = Chat.Load("mistral-7b-instruct-v0.1.jinja");
        List<object?> messages = [Chat.Message("user", "a"), Chat.Message("tool", "b")];

        var error = Assert.Throws<ChatTemplateRaiseException>(() => template.Render(Chat.Variables(messages, true, "<s>", "</s>")));

        Assert.Equal("Only user and assistant roles are supported!", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_MistralNemoMultiTurn_PutsSystemBeforeTheLastUserMessage(bool addGenerationPrompt)
    {
        var template = Chat.Load("mistral-nemo-instruct-2407.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, "<s>", "</s>"));

        var expected = "<s>[INST]Hello, how are you?[/INST]I'm doing great. How can I help you today?</s>"
            + "[INST]You are a helpful assistant.\n\nTell me a joke.[/INST]";
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_MistralNemoWithTools_ListsToolsBeforeTheLastUserMessage()
    {
        var template = Chat.Load("mistral-nemo-instruct-2407.jinja");
        List<object?> messages = [Chat.Message("user", "What's the weather in Paris?")];

        var prompt = template.Render(Chat.Variables(messages, addGenerationPrompt: true, "<s>", "</s>", tools: SampleTools.Weather));

        var tool = """{"type": "function", "function": {"name": "get_current_weather", "description": "Get the current weather in a given location", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "City and country, e.g. Paris, France"}}, "required": ["location"]}}}""";
        Assert.Equal($"<s>[AVAILABLE_TOOLS][{tool}][/AVAILABLE_TOOLS][INST]What's the weather in Paris?[/INST]", prompt);
    }

    [Fact]
    public void Render_MistralNemoToolCallAndResult_WritesCallsWithIds()
    {
        var template = Chat.Load("mistral-nemo-instruct-2407.jinja");
        List<object?> messages =
        [
            Chat.Message("user", "What's the weather in Paris?"),
            SampleTools.WeatherCall("abc123XYZ"),
            new Dictionary<string, object?> { ["role"] = "tool", ["tool_call_id"] = "abc123XYZ", ["content"] = "{\"temperature\": 21.5}" },
        ];

        var prompt = template.Render(Chat.Variables(messages, addGenerationPrompt: true, "<s>", "</s>"));

        var expected = "<s>[INST]What's the weather in Paris?[/INST]"
            + "[TOOL_CALLS][{\"name\": \"get_current_weather\", \"arguments\": {\"location\": \"Paris, France\"}, \"id\": \"abc123XYZ\"}]</s>"
            + "[TOOL_RESULTS]{\"content\": {\"temperature\": 21.5}, \"call_id\": \"abc123XYZ\"}[/TOOL_RESULTS]";
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_MistralNemoToolCallIdNotNineCharacters_RaisesTheTemplatesMessage()
    {
        var template = Chat.Load("mistral-nemo-instruct-2407.jinja");
        List<object?> messages = [Chat.Message("user", "Weather?"), SampleTools.WeatherCall("call_1")];

        var error = Assert.Throws<ChatTemplateRaiseException>(() => template.Render(Chat.Variables(messages, true, "<s>", "</s>")));

        Assert.Equal("Tool call IDs should be alphanumeric strings with length 9!", error.Message);
    }
}
