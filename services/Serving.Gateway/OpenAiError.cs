using Microsoft.AspNetCore.Http;

namespace Serving.Gateway;

/// <summary>OpenAI's error object, returned with the matching status.</summary>
internal static class OpenAiError
{
    public static IResult Result(int status, string message, string type, string? param = null, string? code = null) =>
        Results.Json(new { error = new { message, type, param, code } }, statusCode: status);

    public static IResult BadRequest(string message, string? param = null) => Result(400, message, "invalid_request_error", param);

    public static IResult Unavailable(string message) => Result(503, message, "service_unavailable", code: "no_workers");
}
