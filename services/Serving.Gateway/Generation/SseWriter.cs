using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Errors;
using Serving.Gateway.Telemetry;

namespace Serving.Gateway.Generation;

/// <summary>Server-sent events as OpenAI writes them: <c>data: {json}\n\n</c> per chunk, flushed at once, then <c>data: [DONE]</c>.</summary>
internal sealed class SseWriter(HttpResponse response)
{
    static readonly byte[] Prefix = "data: "u8.ToArray();
    static readonly byte[] Separator = "\n\n"u8.ToArray();
    static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    Utf8JsonWriter? json;

    public bool Started => response.HasStarted;

    /// <summary>
    /// Runs <paramref name="produce"/> and ends the stream with [DONE]. A failure before the first event is thrown
    /// (an ordinary error response follows); after it, the stream ends with an error event.
    /// </summary>
    public async Task RunAsync(Func<Task> produce, RequestTelemetry telemetry, CancellationToken cancellationToken)
    {
        try
        {
            await produce();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = telemetry.Failure(e);
            if (!Started)
                throw failure;
            response.HttpContext.Items[RequestOutcomes.StreamFailedKey] = true;
            await WriteErrorAsync(failure, cancellationToken);
        }
        await DoneAsync(cancellationToken);
    }

    /// <summary>Writes one event; <paramref name="flush"/> false holds it for the next write (events that belong together go out in one flush).</summary>
    public async ValueTask WriteAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken, bool flush = true)
    {
        Start();
        var body = response.BodyWriter;
        body.Write(Prefix);
        // One JSON writer per stream, reset onto the body for each event.
        if (json is null)
            json = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = type.Options.Encoder });
        else
            json.Reset(body);
        JsonSerializer.Serialize(json, value, type);
        json.Flush();
        body.Write(Separator);
        if (flush)
            await body.FlushAsync(cancellationToken);
    }

    void Start()
    {
        if (response.HasStarted)
            return;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Tell reverse proxies (nginx) not to hold the stream back.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Ends a stream that is already open with an error event, then [DONE].</summary>
    public async Task EndWithErrorAsync(ApiException e, CancellationToken cancellationToken)
    {
        await WriteErrorAsync(e, cancellationToken);
        await DoneAsync(cancellationToken);
    }

    /// <summary>Ends a stream that is already open with an error event (as vLLM does) rather than a torn connection.</summary>
    async Task WriteErrorAsync(ApiException e, CancellationToken cancellationToken)
    {
        var body = response.BodyWriter;
        body.Write(Prefix);
        body.Write(OpenAiError.Json(e));
        body.Write(Separator);
        await body.FlushAsync(cancellationToken);
    }

    public async Task DoneAsync(CancellationToken cancellationToken)
    {
        Start();
        await response.BodyWriter.WriteAsync(Done, cancellationToken);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }
}
