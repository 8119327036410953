using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Templates;

public sealed class PhiTemplateTests
{
    private const string UserAssistantUser =
        "<|user|>\nHello, how are you?<|end|>\n<|assistant|>\nI'm doing great. How can I help you today?<|end|>\n<|user|>\nTell me a joke.<|end|>\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_Phi3MiniMultiTurn_EndsWithAssistantTagAndDropsSystem(bool addGenerationPrompt)
    {
        var template = Chat.Load("phi-3-mini-4k-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, "<s>", "<|endoftext|>"));

        // The first Phi-3 release opens the assistant turn after every user turn and ignores system messages.
        var expected = "<s><|user|>\nHello, how are you?<|end|>\n<|assistant|>\nI'm doing great. How can I help you today?<|end|>\n"
            + "<|user|>\nTell me a joke.<|end|>\n<|assistant|>\n";
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Phi35WithGenerationPrompt_OpensTheAssistantTurn()
    {
        var template = Chat.Load("phi-3.5-mini-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), true, "<s>", "<|endoftext|>"));

        Assert.Equal("<|system|>\nYou are a helpful assistant.<|end|>\n" + UserAssistantUser + "<|assistant|>\n", prompt);
    }

    [Fact]
    public void Render_Phi35WithoutGenerationPrompt_EndsWithEos()
    {
        var template = Chat.Load("phi-3.5-mini-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), false, "<s>", "<|endoftext|>"));

        Assert.Equal("<|system|>\nYou are a helpful assistant.<|end|>\n" + UserAssistantUser + "<|endoftext|>", prompt);
    }
}
