using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Templates;

public sealed class GemmaTemplateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_Gemma2MultiTurn_UsesModelRoleAndTurnMarkers(bool addGenerationPrompt)
    {
        var template = Chat.Load("gemma-2-it.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: false), addGenerationPrompt, "<bos>", "<eos>"));

        var expected = "<bos><start_of_turn>user\nHello, how are you?<end_of_turn>\n"
            + "<start_of_turn>model\nI'm doing great. How can I help you today?<end_of_turn>\n"
            + "<start_of_turn>user\nTell me a joke.<end_of_turn>\n"
            + (addGenerationPrompt ? "<start_of_turn>model\n" : "");
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Gemma2SystemMessage_RaisesSystemRoleNotSupported()
    {
        var template = Chat.Load("gemma-2-it.jinja");

        var error = Assert.Throws<ChatTemplateRaiseException>(
            () => template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), true, "<bos>", "<eos>")));

        Assert.Equal("System role not supported", error.Message);
        Assert.Equal((1, 59), (error.Line, error.Column));
    }

    [Fact]
    public void Render_Gemma2ConversationStartingWithAssistant_RaisesAlternationMessage()
    {
        var template = Chat.Load("gemma-2-it.jinja");
        List<object?> messages = [Chat.Message("assistant", "Hi"), Chat.Message("user", "Hello")];

        var error = Assert.Throws<ChatTemplateRaiseException>(() => template.Render(Chat.Variables(messages, true, "<bos>", "<eos>")));

        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }
}
