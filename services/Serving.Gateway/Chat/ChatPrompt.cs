using System.Text.Json;
using Serving.ChatTemplates;
using Serving.Gateway.Errors;
using Serving.Gateway.Requests;

namespace Serving.Gateway.Chat;

/// <summary>
/// Renders a chat request's messages into the prompt text with the model's own chat template (Hugging Face's
/// <c>chat_template</c>), as transformers' <c>apply_chat_template</c> does.
/// </summary>
internal sealed class ChatPrompt
{
    static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    readonly ChatTemplate? template;
    readonly ChatTemplateSource? source;
    readonly string? problem;

    ChatPrompt(ChatTemplateSource? source, ChatTemplate? template, string? problem)
    {
        this.source = source;
        this.template = template;
        this.problem = problem;
    }

    /// <summary>A template that cannot be parsed is reported on every chat request (naming the feature), not at start-up: completions still work.</summary>
    public static ChatPrompt Load(string modelFolder)
    {
        var source = ChatTemplate.Load(modelFolder);
        if (source is null)
            return new ChatPrompt(null, null, $"The model in '{Path.GetFileName(modelFolder.TrimEnd('/'))}' has no chat template (chat_template in tokenizer_config.json or chat_template.jinja); use /v1/completions.");
        try
        {
            return new ChatPrompt(source, ChatTemplate.Parse(source.Template), null);
        }
        catch (ChatTemplateException e)
        {
            return new ChatPrompt(source, null, $"The model's chat template cannot be used: {e.Message}");
        }
    }

    /// <summary>Reads <c>messages</c>, <c>add_generation_prompt</c> and <c>tools</c> from the body (within the limits) and renders the prompt.</summary>
    public string Render(JsonBody body, RequestLimits limits)
    {
        if (body.Field("messages") is { ValueKind: JsonValueKind.Array } given && given.GetArrayLength() > limits.MaxMessages)
            throw ApiException.BadRequest($"'messages' holds {given.GetArrayLength()} messages; this server takes at most {limits.MaxMessages}.", "messages");
        var messages = Messages(body);
        var addGenerationPrompt = body.Bool("add_generation_prompt") ?? true;
        var tools = body.Field("tools") switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } t when t.GetArrayLength() > limits.MaxTools =>
                throw ApiException.BadRequest($"'tools' holds {t.GetArrayLength()} tools; this server takes at most {limits.MaxTools}.", "tools"),
            { ValueKind: JsonValueKind.Array } t => (object?)t,
            _ => throw JsonBody.WrongType("tools", "an array of tool definitions"),
        };
        if (template is null)
            throw ApiException.BadRequest(problem!, "messages", "chat_template_unavailable");
        var variables = new Dictionary<string, object?>();
        // vLLM's chat_template_kwargs: extra template variables (e.g. enable_thinking); ours win on a clash.
        if (body.Object("chat_template_kwargs") is { } extra)
            foreach (var property in extra.EnumerateObject())
                variables[property.Name] = property.Value;
        variables["messages"] = messages;
        variables["add_generation_prompt"] = addGenerationPrompt;
        variables["bos_token"] = source!.BosToken ?? "";
        variables["eos_token"] = source.EosToken ?? "";
        variables["tools"] = tools;
        try
        {
            return template.Render(variables);
        }
        catch (ChatTemplateRaiseException e)
        {
            // The template's own check (e.g. roles must alternate): the client can fix the request.
            throw ApiException.BadRequest(e.Message, "messages", "chat_template_rejected");
        }
        catch (ChatTemplateException e)
        {
            throw ApiException.BadRequest($"The model's chat template could not render these messages: {e.Message}", "messages", "chat_template_error");
        }
    }

    static List<object?> Messages(JsonBody body)
    {
        if (body.Field("messages") is not { ValueKind: JsonValueKind.Array } array)
            throw body.Field("messages") is null
                ? ApiException.BadRequest("'messages' is required.", "messages")
                : JsonBody.WrongType("messages", "an array of messages");
        if (array.GetArrayLength() == 0)
            throw ApiException.BadRequest("'messages' must hold at least one message.", "messages");
        var messages = new List<object?>();
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            var where = $"messages[{i++}]";
            if (element.ValueKind != JsonValueKind.Object)
                throw JsonBody.WrongType(where, "an object with 'role' and 'content'");
            var m = new JsonBody(element);
            var role = m.Field("role") is { ValueKind: JsonValueKind.String } r ? r.GetString()! : throw JsonBody.WrongType($"{where}.role", "a string");
            if (!Roles.Contains(role))
                throw ApiException.BadRequest($"'{where}.role' is '{role}'; expected one of {string.Join(", ", Roles)}.", $"{where}.role");
            var message = new Dictionary<string, object?> { ["role"] = role, ["content"] = Content(m, role, where) };
            foreach (var extra in new[] { "name", "tool_call_id" })
                if (m.Field(extra) is { } v)
                    message[extra] = v.ValueKind == JsonValueKind.String ? v.GetString() : throw JsonBody.WrongType($"{where}.{extra}", "a string");
            if (m.Field("tool_calls") is { } calls)
                message["tool_calls"] = calls.ValueKind == JsonValueKind.Array ? ToolCalls(calls) : throw JsonBody.WrongType($"{where}.tool_calls", "an array");
            messages.Add(message);
        }
        return messages;
    }

    /// <summary>
    /// Tool calls as templates expect them: OpenAI sends each call's <c>arguments</c> as a JSON string, templates apply
    /// <c>tojson</c> to it as an object (transformers and vLLM parse it first, so do we).
    /// </summary>
    static List<object?> ToolCalls(JsonElement calls) => [.. calls.EnumerateArray().Select(call =>
    {
        if (call.ValueKind != JsonValueKind.Object)
            return (object?)call;
        var copy = call.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
        {
            var f = function.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
            if (function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String && TryParseObject(args.GetString()!) is { } parsed)
                f["arguments"] = parsed;
            copy["function"] = f;
        }
        return copy;
    })];

    static JsonElement? TryParseObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Text content: a string, or text parts joined with newlines (vLLM's "string" content format).</summary>
    static string? Content(JsonBody m, string role, string where)
    {
        switch (m.Field("content"))
        {
            case null when role == "assistant" && m.Field("tool_calls") is not null:
                return null;
            case null:
                throw ApiException.BadRequest($"'{where}.content' is required.", $"{where}.content");
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString();
            case { ValueKind: JsonValueKind.Array } parts:
                var texts = new List<string>();
                foreach (var part in parts.EnumerateArray())
                {
                    var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (type != "text")
                        throw ApiException.BadRequest($"'{where}.content' has a part of type '{type ?? "(none)"}'; this model takes text parts only.", $"{where}.content");
                    texts.Add(part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : throw JsonBody.WrongType($"{where}.content[].text", "a string"));
                }
                return string.Join("\n", texts);
            default:
                throw JsonBody.WrongType($"{where}.content", "a string or an array of text parts");
        }
    }
}
