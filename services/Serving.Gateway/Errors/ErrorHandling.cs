using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serving.Gateway.Errors;

/// <summary>
/// Turns every failure into OpenAI's error object: refusals (<see cref="ApiException"/>) with their status, Kestrel's
/// own (body too large, bad framing) as 4xx, unknown routes as 404/405, anything unexpected as a 500 that names the
/// request id to look up in the logs — never a stack trace.
/// </summary>
internal static partial class ErrorHandling
{
    public static IApplicationBuilder UseOpenAiErrors(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        // gRPC (the KV service on the same server) reports errors its own way: its routed methods carry grpc-dotnet's
        // metadata, known here by name (the gateway does not reference gRPC), never by a content type a client can send.
        if (http.GetEndpoint()?.Metadata.Any(m => m.GetType().FullName == "Grpc.AspNetCore.Server.GrpcMethodMetadata") == true)
        {
            await next(http);
            return;
        }
        try
        {
            await next(http);
            if (http.Response.StatusCode is 404 or 405 && !http.Response.HasStarted && http.Response.ContentType is null)
                await OpenAiError.WriteAsync(http.Response, new ApiException(http.Response.StatusCode,
                    http.Response.StatusCode == 404 ? $"no route for {http.Request.Method} {http.Request.Path}." : $"{http.Request.Method} is not allowed on {http.Request.Path}.",
                    code: http.Response.StatusCode == 404 ? "not_found" : "method_not_allowed"));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; cancellation already freed what the request held.
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            await OpenAiError.WriteAsync(http.Response, e);
        }
        catch (Serving.Model.Tokenization.TokenizerTimeoutException e) when (!http.Response.HasStarted)
        {
            // The text, not the server: a prompt the tokenizer's split pattern cannot get through in time.
            await OpenAiError.WriteAsync(http.Response, new ApiException(400, $"the prompt could not be tokenized: {e.Message}", code: "tokenizer_timeout"));
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            await OpenAiError.WriteAsync(http.Response, new ApiException(e.StatusCode, e.Message));
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            Log.Unexpected(Logger(http), e, http.TraceIdentifier, http.Request.Path);
            await OpenAiError.WriteAsync(http.Response, new ApiException(500, $"internal error; the server log has the details under request {http.TraceIdentifier}.", "internal_error"));
        }
    });

    static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Serving.Gateway");

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Request {TraceId} ({Path}) failed unexpectedly.")]
        public static partial void Unexpected(ILogger logger, Exception e, string traceId, string path);
    }
}
