namespace Serving.ChatTemplates.Tests.Support;

// Conversations and variables shaped the way the gateway passes them to ChatTemplate.Render.
internal static class Chat
{
    public const string System = "You are a helpful assistant.";
    public const string FirstUser = "Hello, how are you?";
    public const string Assistant = "I'm doing great. How can I help you today?";
    public const string SecondUser = "Tell me a joke.";

    public static Dictionary<string, object?> Message(string role, object? content) => new() { ["role"] = role, ["content"] = content };

    // system (optional), user, assistant, user
    public static List<object?> MultiTurn(bool withSystem)
    {
        var messages = new List<object?>();
        if (withSystem)
            messages.Add(Message("system", System));
        messages.Add(Message("user", FirstUser));
        messages.Add(Message("assistant", Assistant));
        messages.Add(Message("user", SecondUser));
        return messages;
    }

    public static Dictionary<string, object?> Variables(
        IReadOnlyList<object?> messages, bool addGenerationPrompt, string? bos = null, string? eos = null, object? tools = null) => new()
    {
        ["messages"] = messages,
        ["add_generation_prompt"] = addGenerationPrompt,
        ["bos_token"] = bos,
        ["eos_token"] = eos,
        ["tools"] = tools,
    };

    public static ChatTemplate Load(string fileName) =>
        ChatTemplate.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", fileName)), FixedClock.Default);

    public static string Render(string template, object? variables = null) =>
        ChatTemplate.Parse(template, FixedClock.Default).Render(variables as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>());
}
