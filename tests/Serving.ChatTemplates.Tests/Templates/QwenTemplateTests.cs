using System.Text.Json;
using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Templates;

public sealed class QwenTemplateTests
{
    private const string DefaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    private static string Turn(string role, string content) => $"<|im_start|>{role}\n{content}<|im_end|>\n";

    private static readonly string Turns =
        Turn("user", Chat.FirstUser) + Turn("assistant", Chat.Assistant) + Turn("user", Chat.SecondUser);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_Qwen25MultiTurn_MatchesChatML(bool addGenerationPrompt)
    {
        var template = Chat.Load("qwen2.5-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: true), addGenerationPrompt, null, "<|im_end|>"));

        var expected = Turn("system", Chat.System) + Turns + (addGenerationPrompt ? "<|im_start|>assistant\n" : "");
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Render_Qwen25WithoutSystemMessage_UsesTheDefaultSystemPrompt()
    {
        var template = Chat.Load("qwen2.5-instruct.jinja");

        var prompt = template.Render(Chat.Variables(Chat.MultiTurn(withSystem: false), true, null, "<|im_end|>"));

        Assert.Equal(Turn("system", DefaultSystem) + Turns + "<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public void Render_Qwen25WithTools_ListsToolJsonInTheSystemTurn()
    {
        var template = Chat.Load("qwen2.5-instruct.jinja");
        List<object?> messages = [Chat.Message("user", "What's the weather in Paris?")];

        var prompt = template.Render(Chat.Variables(messages, true, null, "<|im_end|>", tools: SampleTools.Weather));

        var system = DefaultSystem + "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
            + SampleTools.WeatherCompact
            + "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n"
            + "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";
        Assert.Equal(Turn("system", system) + Turn("user", "What's the weather in Paris?") + "<|im_start|>assistant\n", prompt);
    }

    // The conversation and expected prompt of huggingface.js's e2e test for Qwen/Qwen2.5-7B-Instruct (made with transformers).
    [Fact]
    public void Render_Qwen25ToolCallsAndResponses_MatchesTransformersOutput()
    {
        var template = Chat.Load("qwen2.5-instruct.jinja");
        using var input = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "qwen2.5-tool-calls.json")));
        var variables = input.RootElement.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);

        var prompt = template.Render(variables);

        Assert.Equal(input.RootElement.GetProperty("target").GetString(), prompt);
    }
}
