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

/// <summary>POST /v1/completions: prompts in, one choice per prompt and sample, as JSON or server-sent events.</summary>
internal static class CompletionsEndpoint
{
    const int DefaultMaxTokens = 16; // OpenAI's default for this endpoint

    public static async Task Handle(HttpContext http, ServingClient cluster, ServedModel model, AdmissionControl admission, PreparationPool preparation,
        GatewayMetrics metrics, ClusterLoadMetrics load, ILoggerFactory loggers)
    {
        var cancellationToken = http.RequestAborted;
        var id = $"cmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // A full cluster refuses before the body is read: tokenizing would be spent on a 429.
        admission.ThrowIfFull();
        var (prompts, echo, logprobs, o, requests) = await preparation.PrepareAsync(http.Request, model.Limits.MaxBodyBytes, body =>
        {
            model.Require(body);
            var read = CompletionPrompts.Read(body, model);
            var echoes = body.Bool("echo") ?? false;
            var wanted = body.Int("logprobs", 0, 20);
            if (echoes && wanted is not null)
                throw ApiException.BadRequest("'echo' together with 'logprobs' is not supported: this server does not compute prompt logprobs.", "echo");
            var options = GenerationOptionsReader.Read(body, model, ["max_tokens"], wanted);
            return (read, echoes, wanted, options, ChoiceStreams.Build(id, [.. read.Select(p => p.Tokens)], options, model, DefaultMaxTokens, "prompt", load.KvCapacityTokens()));
        }, cancellationToken);
        var promptTokens = prompts.Sum(p => p.Tokens.Count);
        string? Echo(int choice) => echo ? prompts[choice / o.N].Text : null;

        using var lease = admission.Enter(requests.Length);
        using var telemetry = RequestTelemetry.Start(metrics, loggers.CreateLogger("Serving.Gateway"), RequestOutcomes.ArrivedAt(http), id, promptTokens, requests.Length);
        var formatter = model.Logprobs;
        if (!o.Stream)
        {
            var choices = await ChoiceStreams.CollectAsync(cluster, requests, telemetry, cancellationToken);
            var result = choices.Select((c, i) =>
            {
                var prefix = Echo(i) ?? "";
                return new CompletionChoice(i, prefix + c.Text, logprobs is null ? null : formatter.Completion(c.Logprobs, LogprobsFormatter.CodePoints(prefix)), c.FinishReason);
            }).ToArray();
            await Results.Json(new CompletionResponse(id, created, o.Model, result, Usage.Of(promptTokens, choices)), GatewayJson.Api.CompletionResponse)
                .ExecuteAsync(http);
            return;
        }

        var sse = new SseWriter(http.Response);
        var states = requests.Select(_ => new ChoiceState()).ToArray();
        await sse.RunAsync(async () =>
        {
            await foreach (var (index, chunk) in ChoiceStreams.RunAsync(cluster, requests, telemetry, cancellationToken))
            {
                var choice = states[index];
                var offset = choice.TextCodePoints;
                var prefix = choice.Opened ? "" : Echo(index) ?? "";
                choice.Opened = true;
                choice.Add(chunk);
                var text = prefix + chunk.Text;
                if (text.Length == 0 && chunk.Logprobs is null && !chunk.Finished)
                    continue;
                var lps = logprobs is null ? null : formatter.Completion(chunk.Logprobs ?? [], offset);
                var finish = chunk.Finished ? chunk.FinishReason : null;
                await sse.WriteAsync(new CompletionResponse(id, created, o.Model, [new CompletionChoice(index, text, lps, finish)], null), GatewayJson.Api.CompletionResponse, cancellationToken);
            }
            if (o.IncludeUsage)
                await sse.WriteAsync(new CompletionResponse(id, created, o.Model, [], Usage.Of(promptTokens, states)), GatewayJson.Api.CompletionResponse, cancellationToken);
        }, telemetry, cancellationToken);
    }
}
