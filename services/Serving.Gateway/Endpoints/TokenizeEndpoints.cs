using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Chat;
using Serving.Gateway.Errors;
using Serving.Gateway.Requests;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Endpoints;

/// <summary>POST /tokenize and /detokenize, as vLLM serves them: the model's own tokenizer and chat template.</summary>
internal static class TokenizeEndpoints
{
    public static async Task<IResult> Tokenize(HttpContext http, ServedModel model)
    {
        var body = await JsonBody.ReadAsync(http.Request, model.Limits.MaxBodyBytes, http.RequestAborted);
        model.Require(body);
        IReadOnlyList<int> tokens;
        if (body.Field("messages") is not null)
        {
            var text = model.Chat.Render(body, model.Limits);
            tokens = model.Tokenizer.Encode(text, addSpecialTokens: body.Bool("add_special_tokens") ?? false);
        }
        else if (body.String("prompt") is { } prompt)
            tokens = model.Tokenizer.Encode(prompt, addSpecialTokens: body.Bool("add_special_tokens") ?? true);
        else
            throw ApiException.BadRequest("give 'prompt' (a string) or 'messages' (a chat).", "prompt");
        return Results.Json(new TokenizeResponse(tokens.Count, model.MaxModelLength, tokens), GatewayJson.Api.TokenizeResponse);
    }

    public static async Task<IResult> Detokenize(HttpContext http, ServedModel model)
    {
        var body = await JsonBody.ReadAsync(http.Request, model.Limits.MaxBodyBytes, http.RequestAborted);
        model.Require(body);
        if (body.Field("tokens") is not { ValueKind: JsonValueKind.Array } ids)
            throw JsonBody.WrongType("tokens", "an array of token ids");
        var tokens = JsonBody.TokenIds(ids, "tokens", 0, model.VocabSize);
        return Results.Json(new DetokenizeResponse(model.Tokenizer.Decode(tokens, skipSpecialTokens: false)), GatewayJson.Api.DetokenizeResponse);
    }
}
