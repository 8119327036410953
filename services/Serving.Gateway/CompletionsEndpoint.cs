using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Cluster.Abstractions;
using Serving.Cluster.Client;
using Serving.Engine.Sampling;
using Serving.Engine.Tokenization;
using Serving.Worker.Roles;

namespace Serving.Gateway;

/// <summary>POST /v1/completions: tokenizes, runs the request on the cluster, answers in OpenAI's shape (JSON or SSE).</summary>
internal static class CompletionsEndpoint
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IResult> Handle(HttpContext http, ServingClient cluster, TextTokenizer tokenizer, ServingGatewayOptions options)
    {
        CompletionRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CompletionRequest>(http.Request.Body, Json, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return OpenAiError.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
        if (body is null)
            return OpenAiError.BadRequest("the request body is empty.");
        if (body.Model is { } model && model != options.ModelName)
            return OpenAiError.Result(404, $"the model '{model}' does not exist; this server serves '{options.ModelName}'.", "invalid_request_error", "model", "model_not_found");

        IReadOnlyList<int> prompt;
        SamplingParams sampling;
        try
        {
            prompt = Prompt(body.Prompt, tokenizer);
            sampling = new SamplingParams
            {
                MaxTokens = body.MaxTokens ?? 16,
                Temperature = body.Temperature ?? 1.0,
                TopP = body.TopP ?? 1.0,
                TopK = body.TopK ?? 0,
                Seed = body.Seed,
                Stop = Stop(body.Stop),
                IgnoreEos = body.IgnoreEos ?? false,
            };
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            return OpenAiError.BadRequest(e.Message, e.ParamName);
        }

        var id = $"cmpl-{Guid.NewGuid():N}";
        var request = new GenerationRequest(id, prompt, sampling);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        try
        {
            if (body.Stream == true)
            {
                await Stream(http, cluster, request, id, created, options.ModelName);
                return Results.Empty;
            }
            var text = "";
            TokenChunk? last = null;
            await foreach (var chunk in cluster.GenerateAsync(request, http.RequestAborted))
            {
                text += chunk.Text;
                last = chunk;
            }
            return Results.Json(new
            {
                id, @object = "text_completion", created, model = options.ModelName,
                choices = new[] { new { index = 0, text, logprobs = (object?)null, finish_reason = last?.FinishReason } },
                usage = new { prompt_tokens = prompt.Count, completion_tokens = last?.OutputTokens ?? 0, total_tokens = prompt.Count + (last?.OutputTokens ?? 0) },
            });
        }
        catch (NoWorkersException e)
        {
            return OpenAiError.Unavailable(e.Message);
        }
        catch (ArgumentException e)
        {
            return OpenAiError.BadRequest(e.Message, e.ParamName);
        }
    }

    static async Task Stream(HttpContext http, ServingClient cluster, GenerationRequest request, string id, long created, string model)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await using var chunks = cluster.GenerateAsync(request, http.RequestAborted).GetAsyncEnumerator(http.RequestAborted);
        while (true)
        {
            TokenChunk chunk;
            try
            {
                if (!await chunks.MoveNextAsync())
                    break;
                chunk = chunks.Current;
            }
            catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
            {
                var status = e is ArgumentException ? 400 : 503;
                var error = JsonSerializer.Serialize(new
                {
                    error = new { message = e.Message, type = status == 400 ? "invalid_request_error" : "service_unavailable", param = (string?)null, code = status },
                });
                if (!http.Response.HasStarted)
                {
                    http.Response.StatusCode = status;
                    http.Response.ContentType = "application/json";
                    await http.Response.WriteAsync(error, http.RequestAborted);
                    return;
                }
                // The stream is already open: end it with an error event, as OpenAI-compatible servers do, not a torn connection.
                await http.Response.WriteAsync($"data: {error}\n\n", http.RequestAborted);
                break;
            }
            var json = JsonSerializer.Serialize(new
            {
                id, @object = "text_completion", created, model,
                choices = new[] { new { index = 0, text = chunk.Text, logprobs = (object?)null, finish_reason = chunk.Finished ? chunk.FinishReason : null } },
            });
            await http.Response.WriteAsync($"data: {json}\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
    }

    static IReadOnlyList<int> Prompt(JsonElement prompt, TextTokenizer tokenizer) => prompt.ValueKind switch
    {
        JsonValueKind.String when prompt.GetString() is { Length: > 0 } s => tokenizer.Encode(s),
        JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number) =>
            prompt.EnumerateArray().Select(e => e.TryGetInt32(out var t) ? t : throw new ArgumentException("prompt token ids must be integers.", "prompt")).ToArray(),
        _ => throw new ArgumentException("prompt must be a non-empty string or array of token ids.", "prompt"),
    };

    static IReadOnlyList<string> Stop(JsonElement stop) => stop.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => [],
        JsonValueKind.String => [stop.GetString()!],
        JsonValueKind.Array => stop.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new ArgumentException("stop must be a string or an array of strings.", "stop")).ToArray(),
        _ => throw new ArgumentException("stop must be a string or an array of strings.", "stop"),
    };
}
