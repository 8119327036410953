using System.Text.Json.Nodes;

namespace Serving.LoadTest.Soak.Requests;

/// <summary>Mistakes a client makes, one per invalid request: each must be refused with a 4xx OpenAI error, never served or answered with a 500.</summary>
internal static class InvalidFields
{
    static readonly (string Name, Action<JsonObject> Break)[] Mistakes =
    [
        ("temperature -1", b => b["temperature"] = -1),
        ("top_p 1.5", b => b["top_p"] = 1.5),
        ("n 0", b => b["n"] = 0),
        ("max_tokens -3", b => { b.Remove("max_completion_tokens"); b["max_tokens"] = -3; }),
        ("logit_bias", b => b["logit_bias"] = new JsonObject { ["11"] = 5 }),
        ("stop not a string", b => b["stop"] = new JsonObject { ["x"] = 1 }),
    ];

    /// <summary>Breaks <paramref name="body"/> one way; returns which.</summary>
    public static string Break(JsonObject body, Random random)
    {
        var (name, apply) = Mistakes[random.Next(Mistakes.Length)];
        apply(body);
        return name;
    }
}
