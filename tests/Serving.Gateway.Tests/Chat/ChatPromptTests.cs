using System.Text.Json;
using Serving.Gateway.Chat;
using Serving.Gateway.Errors;
using Serving.Gateway.Requests;

namespace Serving.Gateway.Tests.Chat;

/// <summary>How chat requests reach a model's template: content parts, tool calls, the template's own refusals.</summary>
public sealed class ChatPromptTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("serving-chat-").FullName;

    ChatPrompt WithTemplate(string file)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Templates", file), Path.Combine(folder, "chat_template.jinja"), overwrite: true);
        return ChatPrompt.Load(folder);
    }

    static JsonBody Body(string json) => new(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Render_ToolCallArguments_ReachTheTemplateAsAnObject()
    {
        var prompt = WithTemplate("qwen2.5-instruct.jinja").Render(Body("""
            {"messages": [
              {"role": "user", "content": "Weather in Paris?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "18 C"}
            ]}
            """), new RequestLimits());

        Assert.Contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", prompt);
        Assert.Contains("<tool_response>\n18 C\n</tool_response>", prompt);
        Assert.EndsWith("<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public void Render_ChatTemplateKwargs_BecomeTemplateVariables()
    {
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "{{ 'think' if enable_thinking else 'fast' }}:{{ messages[0].content }}");

        var prompt = ChatPrompt.Load(folder).Render(Body("""
            {"messages": [{"role": "user", "content": "a"}], "chat_template_kwargs": {"enable_thinking": true, "messages": "ignored"}}
            """), new RequestLimits());

        Assert.Equal("think:a", prompt);
    }

    [Fact]
    public void Render_TextParts_JoinedWithNewlines()
    {
        var prompt = WithTemplate("llama-3-8b-instruct.jinja").Render(Body("""
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "First."}, {"type": "text", "text": "Second."}]}], "add_generation_prompt": false}
            """), new RequestLimits());

        Assert.Equal("<|start_header_id|>user<|end_header_id|>\n\nFirst.\nSecond.<|eot_id|>", prompt.Replace("<|begin_of_text|>", ""));
    }

    [Fact]
    public void Render_TemplateRaisesException_Is400WithTheTemplatesMessage()
    {
        var e = Assert.Throws<ApiException>(() => WithTemplate("llama-2-chat.jinja").Render(Body("""
            {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}
            """), new RequestLimits()));

        Assert.Equal(400, e.Status);
        Assert.Equal("chat_template_rejected", e.Code);
        Assert.Contains("alternate", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Render_UnsupportedTemplateFeature_Is400NamingIt()
    {
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "{% for m in messages %}{{ m.content | wordwrap(10) }}{% endfor %}");

        var e = Assert.Throws<ApiException>(() => ChatPrompt.Load(folder).Render(Body("""{"messages": [{"role": "user", "content": "a"}]}"""), new RequestLimits()));

        Assert.Equal(400, e.Status);
        Assert.Contains("'wordwrap'", e.Message);
        Assert.Contains("line 1", e.Message);
    }

    [Theory]
    // A macro that calls itself without end: the recursion limit, not a stack overflow that ends the process.
    [InlineData("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursion depth")]
    // Repetition driven by what the user sends: the output limit.
    [InlineData("{{ messages[0].content * 100000000 }}", "output")]
    // Loops within loops: the step limit.
    [InlineData("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "steps")]
    public void Render_TemplatePastItsBudget_Is400NamingTheLimit(string template, string limit)
    {
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), template);

        var e = Assert.Throws<ApiException>(() => ChatPrompt.Load(folder).Render(Body("""{"messages": [{"role": "user", "content": "abc"}]}"""), new RequestLimits()));

        Assert.Equal(400, e.Status);
        Assert.Contains(limit, e.Message);
    }

    [Fact]
    public void Render_NoTemplate_Is400PointingToCompletions()
    {
        var e = Assert.Throws<ApiException>(() => ChatPrompt.Load(folder).Render(Body("""{"messages": [{"role": "user", "content": "a"}]}"""), new RequestLimits()));

        Assert.Equal("chat_template_unavailable", e.Code);
        Assert.Contains("/v1/completions", e.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
