using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Admission;
using Serving.Gateway.Errors;
using Serving.Gateway.Requests;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Endpoints;

/// <summary>POST /tokenize and /detokenize, as vLLM serves them: the model's own tokenizer and chat template.</summary>
internal static class TokenizeEndpoints
{
    // Each holds its place until its answer is written: a client that reads slowly keeps the answer (as large as
    // the body) in this process, so such answers count against the pool too.
    public static async Task Tokenize(HttpContext http, ServedModel model, PreparationPool preparation)
    {
        using var place = preparation.Enter();
        var tokens = await place.PrepareAsync(http.Request, model.Limits.MaxBodyBytes, body =>
        {
            model.Require(body);
            if (body.Field("messages") is not null)
            {
                var text = model.Chat.Render(body, model.Limits);
                return model.Tokenizer.Encode(text, addSpecialTokens: body.Bool("add_special_tokens") ?? false);
            }
            if (body.String("prompt") is { } prompt)
                return model.Tokenizer.Encode(prompt, addSpecialTokens: body.Bool("add_special_tokens") ?? true);
            throw ApiException.BadRequest("give 'prompt' (a string) or 'messages' (a chat).", "prompt");
        }, http.RequestAborted);
        await Results.Json(new TokenizeResponse(tokens.Count, model.MaxModelLength, tokens), GatewayJson.Api.TokenizeResponse).ExecuteAsync(http);
    }

    public static async Task Detokenize(HttpContext http, ServedModel model, PreparationPool preparation)
    {
        using var place = preparation.Enter();
        var text = await place.PrepareAsync(http.Request, model.Limits.MaxBodyBytes, body =>
        {
            model.Require(body);
            if (body.Field("tokens") is not { ValueKind: JsonValueKind.Array } ids)
                throw JsonBody.WrongType("tokens", "an array of token ids");
            return model.Tokenizer.Decode(JsonBody.TokenIds(ids, "tokens", 0, model.VocabSize), skipSpecialTokens: false);
        }, http.RequestAborted);
        await Results.Json(new DetokenizeResponse(text), GatewayJson.Api.DetokenizeResponse).ExecuteAsync(http);
    }
}
