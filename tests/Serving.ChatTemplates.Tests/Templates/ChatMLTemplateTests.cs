using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Templates;

public sealed class ChatMLTemplateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_ChatMLMultiTurn_WrapsEachMessageInImMarkers(bool addGenerationPrompt)
    {
        var template = Chat.Load("chatml.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, "<s>", "</s>"));

        var expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello, how are you?<|im_end|>\n"
            + "<|im_start|>assistant\nI'm doing great. How can I help you today?<|im_end|>\n"
            + "<|im_start|>user\nTell me a joke.<|im_end|>\n"
            + (addGenerationPrompt ? "<|im_start|>assistant\n" : "");
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_ChatMLNonAsciiContent_KeepsTextUnchanged()
    {
        var template = Chat.Load("chatml.jinja");
        List<object?> messages = [Chat.Message("user", "Grüße, 世界 😀 <b>&</b>")];

        var prompt = template.Render(Chat.Variables(messages, false));

        Assert.Equal("<|im_start|>user\nGrüße, 世界 😀 <b>&</b><|im_end|>\n", prompt);
    }
}
