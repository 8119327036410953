namespace Serving.ChatTemplates.Tests.Support;

// An OpenAI-style tool list and call, as the gateway forwards them.
internal static class SampleTools
{
    public static readonly List<object?> Weather =
    [
        new Dictionary<string, object?>
        {
            ["type"] = "function",
            ["function"] = new Dictionary<string, object?>
            {
                ["name"] = "get_current_weather",
                ["description"] = "Get the current weather in a given location",
                ["parameters"] = new Dictionary<string, object?>
                {
                    ["type"] = "object",
                    ["properties"] = new Dictionary<string, object?>
                    {
                        ["location"] = new Dictionary<string, object?> { ["type"] = "string", ["description"] = "City and country, e.g. Paris, France" },
                    },
                    ["required"] = new List<object?> { "location" },
                },
            },
        },
    ];

    // json.dumps(Weather[0], indent=4)
    public const string WeatherIndented4 = """
        {
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {
                            "type": "string",
                            "description": "City and country, e.g. Paris, France"
                        }
                    },
                    "required": [
                        "location"
                    ]
                }
            }
        }
        """;

    // json.dumps(Weather[0]) with HF's default separators
    public const string WeatherCompact =
        """{"type": "function", "function": {"name": "get_current_weather", "description": "Get the current weather in a given location", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "City and country, e.g. Paris, France"}}, "required": ["location"]}}}""";

    public static Dictionary<string, object?> WeatherCall(string id) => new()
    {
        ["role"] = "assistant",
        ["content"] = null,
        ["tool_calls"] = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["id"] = id,
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?>
                {
                    ["name"] = "get_current_weather",
                    ["arguments"] = new Dictionary<string, object?> { ["location"] = "Paris, France" },
                },
            },
        },
    };
}
