using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Cluster;
using Serving.Gateway.Admission;
using Serving.Gateway.Errors;
using Serving.Gateway.Generation;
using Serving.Gateway.Requests;
using Serving.Gateway.Responses;
using Serving.Gateway.Telemetry;

namespace Serving.Gateway.Endpoints;

/// <summary>POST /v1/chat/completions: messages rendered with the model's chat template, n choices, JSON or server-sent events.</summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task Handle(HttpContext http, ServingClient cluster, ServedModel model, AdmissionControl admission, PreparationPool preparation,
        GatewayMetrics metrics, ClusterLoadMetrics load, ILoggerFactory loggers)
    {
        var cancellationToken = http.RequestAborted;
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // A full cluster refuses before the body is read: rendering and tokenizing would be spent on a 429.
        admission.ThrowIfFull();
        var (o, logprobs, promptTokens, requests) = await preparation.PrepareAsync(http.Request, model.Limits.MaxBodyBytes, body =>
        {
            model.Require(body);
            var prompt = model.Chat.Render(body, model.Limits);
            // The template writes the special tokens (BOS included) itself, as vLLM's chat path assumes.
            var tokens = model.Tokenizer.Encode(prompt, addSpecialTokens: false);
            if (tokens.Count == 0)
                throw ApiException.BadRequest("the rendered chat prompt is empty.", "messages");
            var wantLogprobs = body.Bool("logprobs") ?? false;
            var topLogprobs = body.Int("top_logprobs", 0, 20);
            if (topLogprobs is not null && !wantLogprobs)
                throw ApiException.BadRequest("'top_logprobs' needs 'logprobs' set to true.", "top_logprobs");
            int? wanted = wantLogprobs ? topLogprobs ?? 0 : null;
            var options = GenerationOptionsReader.Read(body, model, ["max_completion_tokens", "max_tokens"], wanted);
            // Without a limit a chat reply may use the rest of the context (OpenAI's and vLLM's default).
            return (options, wanted, tokens.Count, ChoiceStreams.Build(id, [tokens], options, model, fallbackMaxTokens: null, "messages", load.KvCapacityTokens()));
        }, cancellationToken);

        using var lease = admission.Enter(requests.Length);
        using var telemetry = RequestTelemetry.Start(metrics, loggers.CreateLogger("Serving.Gateway"), RequestOutcomes.ArrivedAt(http), id, promptTokens, requests.Length);
        var formatter = model.Logprobs;
        if (!o.Stream)
        {
            var choices = await ChoiceStreams.CollectAsync(cluster, requests, telemetry, cancellationToken);
            var result = choices.Select((c, i) => new ChatChoice(
                i,
                new ChatMessageOut("assistant", c.Text.ToString()),
                logprobs is null ? null : new ChatLogprobs(formatter.Chat(c.Logprobs)),
                c.FinishReason)).ToArray();
            await Results.Json(new ChatCompletionResponse(id, created, o.Model, result, Usage.Of(promptTokens, choices)), GatewayJson.Api.ChatCompletionResponse)
                .ExecuteAsync(http);
            return;
        }

        var sse = new SseWriter(http.Response);
        var states = requests.Select(_ => new ChoiceState()).ToArray();
        ChatChunk Chunk(ChatChunkChoice choice) => new(id, created, o.Model, [choice], null);
        await sse.RunAsync(async () =>
        {
            await foreach (var (index, chunk) in ChoiceStreams.RunAsync(cluster, requests, telemetry, cancellationToken))
            {
                var choice = states[index];
                if (!choice.Opened)
                {
                    // OpenAI opens each choice with the role and empty content.
                    choice.Opened = true;
                    await sse.WriteAsync(Chunk(new ChatChunkChoice(index, new ChatMessageOut("assistant", ""), null, null)), GatewayJson.Api.ChatChunk, cancellationToken);
                }
                choice.Add(chunk);
                if (chunk.Text.Length > 0 || (logprobs is not null && chunk.Logprobs is { Length: > 0 }))
                {
                    var lps = logprobs is null ? null : new ChatLogprobs(formatter.Chat(chunk.Logprobs ?? []));
                    await sse.WriteAsync(Chunk(new ChatChunkChoice(index, new ChatMessageOut(null, chunk.Text), lps, null)), GatewayJson.Api.ChatChunk, cancellationToken, flush: !chunk.Finished);
                }
                if (chunk.Finished)
                    await sse.WriteAsync(Chunk(new ChatChunkChoice(index, new ChatMessageOut(null, null), null, chunk.FinishReason)), GatewayJson.Api.ChatChunk, cancellationToken);
            }
            if (o.IncludeUsage)
                await sse.WriteAsync(new ChatChunk(id, created, o.Model, [], Usage.Of(promptTokens, states)), GatewayJson.Api.ChatChunk, cancellationToken);
        }, telemetry, cancellationToken);
    }
}
