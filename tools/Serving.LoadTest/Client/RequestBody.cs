using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Client;

/// <summary>The JSON body of one streaming request, with the fields OpenAI-compatible servers share.</summary>
internal static class RequestBody
{
    public static byte[] Of(TargetSettings target, string model, WorkloadRequest request)
    {
        var body = new JsonObject { ["model"] = model };
        if (target.Api == ApiKind.Chat)
        {
            body["messages"] = request.Messages is { } messages
                ? new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })])
                : new JsonArray(new JsonObject { ["role"] = "user", ["content"] = request.Prompt });
            body["max_completion_tokens"] = request.OutputTokens;
        }
        else
        {
            body["prompt"] = request.Prompt;
            body["max_tokens"] = request.OutputTokens;
        }
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        if (target.IgnoreEos)
            body["ignore_eos"] = true;
        if (target.SendMinTokens)
            body["min_tokens"] = request.OutputTokens;
        if (target.Temperature is { } temperature)
            body["temperature"] = temperature;
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }
}
