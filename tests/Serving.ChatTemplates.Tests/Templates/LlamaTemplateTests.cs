using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Templates;

public sealed class LlamaTemplateTests
{
    private const string Bos = "<|begin_of_text|>";
    private const string Eos = "<|eot_id|>";

    private static string Header(string role) => $"<|start_header_id|>{role}<|end_header_id|>\n\n";

    private static string Turn(string role, string content) => Header(role) + content + "<|eot_id|>";

    private static readonly string Turns =
        Turn("user", Chat.FirstUser) + Turn("assistant", Chat.Assistant) + Turn("user", Chat.SecondUser);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_Llama3MultiTurn_MatchesDocumentedFormat(bool addGenerationPrompt)
    {
        var template = Chat.Load("llama-3-8b-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, Bos, Eos));

        var expected = Bos + Turn("system", Chat.System) + Turns + (addGenerationPrompt ? Header("assistant") : "");
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Llama3ContentWithSurroundingWhitespace_TrimsEachMessage()
    {
        var template = Chat.Load("llama-3-8b-instruct.jinja");
        List<object?> messages = [Chat.Message("user", "  padded \n")];

        var prompt = template.Render(Chat.Variables(messages, addGenerationPrompt: false, Bos, Eos));

        Assert.Equal(Bos + Turn("user", "padded"), prompt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_Llama31MultiTurn_PutsKnowledgeDatesInTheSystemTurn(bool addGenerationPrompt)
    {
        var template = Chat.Load("llama-3.1-8b-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, Bos, Eos));

        var system = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + Chat.System;
        var expected = Bos + Turn("system", system) + Turns + (addGenerationPrompt ? Header("assistant") : "");
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Llama31WithoutSystemMessage_StillWritesTheDateSystemTurn()
    {
        var template = Chat.Load("llama-3.1-8b-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: false), addGenerationPrompt: true, Bos, Eos));

        var system = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";
        Assert.Equal(Bos + Turn("system", system) + Turns + Header("assistant"), prompt);
    }

    [Fact]
    public void Render_Llama31WithTools_PutsIndentedToolJsonInTheFirstUserTurn()
    {
        var template = Chat.Load("llama-3.1-8b-instruct.jinja");
        List<object?> messages = [Chat.Message("system", Chat.System), Chat.Message("user", "What's the weather in Paris?")];

        var prompt = template.Render(Chat.Variables(messages, addGenerationPrompt: true, Bos, Eos, tools: SampleTools.Weather));

        var system = "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + Chat.System;
        var user = "Given the following functions, please respond with a JSON for a function call with its proper arguments"
            + " that best answers the given prompt.\n\n"
            + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}."
            + "Do not use variables.\n\n"
            + SampleTools.WeatherIndented4 + "\n\n"
            + "What's the weather in Paris?";
        Assert.Equal(Bos + Turn("system", system) + Turn("user", user) + Header("assistant"), prompt);
    }

    [Fact]
    public void Render_Llama31ToolCallAndResult_WritesJsonCallAndIpythonTurn()
    {
        var template = Chat.Load("llama-3.1-8b-instruct.jinja");
        List<object?> messages =
        [
            Chat.Message("user", "What's the weather in Paris?"),
            SampleTools.WeatherCall("call_1"),
            new Dictionary<string, object?> { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "{\"temperature\": 21.5}" },
        ];

        var prompt = template.Render(Chat.Variables(messages, addGenerationPrompt: true, Bos, Eos));

        // A string is "iterable" to jinja2, so this template JSON-quotes string tool results, as transformers does.
        var expected = Bos + Turn("system", "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n")
            + Turn("user", "What's the weather in Paris?")
            + Turn("assistant", "{\"name\": \"get_current_weather\", \"parameters\": {\"location\": \"Paris, France\"}}")
            + Turn("ipython", "\"{\\\"temperature\\\": 21.5}\"")
            + Header("assistant");
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Llama32_TakesTodaysDateFromStrftimeNow()
    {
        var template = Chat.Load("llama-3.2-3b-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt: true, Bos, Eos));

        var system = "Cutting Knowledge Date: December 2023\nToday Date: 05 Sep 2024\n\n" + Chat.System;
        Assert.Equal(Bos + Turn("system", system) + Turns + Header("assistant"), prompt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_Llama2MultiTurn_FoldsSystemIntoFirstInstruction(bool addGenerationPrompt)
    {
        var template = Chat.Load("llama-2-chat.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, "<s>", "</s>"));

        // Llama 2 has no generation prompt: the model answers right after [/INST].
        var expected = "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHello, how are you? [/INST]"
            + " I'm doing great. How can I help you today? </s>"
            + "<s>[INST] Tell me a joke. [/INST]";
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Llama2RolesNotAlternating_RaisesTheTemplatesMessage()
    {
        var template = Chat.Load("llama-2-chat.jinja");
        List<object?> messages = [Chat.Message("user", "a"), Chat.Message("user", "b")];

        var error = Assert.Throws<ChatTemplateRaiseException>(() => template.Render(Chat.Variables(messages, true, "<s>", "</s>")));

        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
        Assert.Equal(1, error.Line);
    }
}
