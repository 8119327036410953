using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serving.Gateway.Errors;

/// <summary>OpenAI's error object, <c>{"error": {"message", "type", "param", "code"}}</c>, written with its status.</summary>
internal static class OpenAiError
{
    public static byte[] Json(string message, string type, string? param, string? code) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(new ErrorDetail(message, type, param, code)), GatewayJson.Api.ErrorBody);

    public static byte[] Json(ApiException e) => Json(e.Message, e.Type, e.Param, e.Code);

    public static async Task WriteAsync(HttpResponse response, ApiException e)
    {
        response.StatusCode = e.Status;
        response.ContentType = "application/json";
        if (e.RetryAfterSeconds is { } seconds)
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await response.Body.WriteAsync(Json(e));
    }
}
