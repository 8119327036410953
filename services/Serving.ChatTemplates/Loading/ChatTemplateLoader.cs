using System.Text.Json;

namespace Serving.ChatTemplates.Loading;

// Finds a model folder's chat template the way transformers does for the files the gateway serves.
internal static class ChatTemplateLoader
{
    private const string JinjaFile = "chat_template.jinja";
    private const string TokenizerConfigFile = "tokenizer_config.json";

    public static ChatTemplateSource? Load(string modelFolder)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        var jinjaPath = Path.Combine(modelFolder, JinjaFile);
        var configPath = Path.Combine(modelFolder, TokenizerConfigFile);
        using var config = File.Exists(configPath) ? ReadJson(configPath) : null;
        var root = config?.RootElement;

        var template = File.Exists(jinjaPath) ? File.ReadAllText(jinjaPath) : TemplateFromConfig(root, configPath);
        if (template == null)
            return null;
        return new ChatTemplateSource(template, TokenText(root, "bos_token"), TokenText(root, "eos_token"));
    }

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            throw new ChatTemplateException($"{path} is not valid JSON: {error.Message}");
        }
    }

    // chat_template is a string, or a list of {"name", "template"} from which apply_chat_template takes "default".
    private static string? TemplateFromConfig(JsonElement? root, string path)
    {
        if (root is not { ValueKind: JsonValueKind.Object } config || !config.TryGetProperty("chat_template", out var value))
            return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Array:
                foreach (var entry in value.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object
                        && entry.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() == "default"
                        && entry.TryGetProperty("template", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        return text.GetString();
                    }
                }

                throw new ChatTemplateException($"{path} lists named chat templates but none named \"default\"");
            case JsonValueKind.Null:
                return null;
            default:
                throw new ChatTemplateException($"{path}: chat_template must be a string or a list of named templates");
        }
    }

    // A special token is a string or an AddedToken object {"content": "...", ...}.
    private static string? TokenText(JsonElement? root, string property)
    {
        if (root is not { ValueKind: JsonValueKind.Object } config || !config.TryGetProperty(property, out var token))
            return null;
        if (token.ValueKind == JsonValueKind.String)
            return token.GetString();
        return token.ValueKind == JsonValueKind.Object && token.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;
    }
}
