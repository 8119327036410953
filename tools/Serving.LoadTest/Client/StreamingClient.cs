using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Client;

/// <summary>Sends one streaming request and times it: every outcome, a failure included, comes back as a result, never as an exception.</summary>
internal sealed class StreamingClient(HttpClient http, TargetSettings target, string model)
{
    static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Sends <paramref name="request"/>; the result's offsets are left for the runner to fill. With
    /// <paramref name="keepAnswer"/> the response also holds the answer's text.
    /// </summary>
    public async Task<ClientResponse> SendAsync(WorkloadRequest request, CancellationToken runCancelled, bool keepAnswer = false)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, target.EndpointUrl)
        {
            Content = new ByteArrayContent(RequestBody.Of(target, model, request)) { Headers = { ContentType = Json } },
        };
        message.Headers.Accept.ParseAdd("text/event-stream");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(runCancelled);
        timeout.CancelAfter(target.RequestTimeout);
        var sent = Stopwatch.GetTimestamp();
        var state = new StreamState(sent, keepAnswer);
        var headersRead = false;
        int? status = null;
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            headersRead = true;
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                return new(Failed(request, FailureKind.HttpStatus, await ErrorBodyAsync(response, timeout.Token), status), sent);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            await foreach (var e in SseReader.ReadAsync(body, timeout.Token))
                if (!state.Apply(e))
                    break;
        }
        catch (OperationCanceledException) when (runCancelled.IsCancellationRequested)
        {
            return new(Failed(request, FailureKind.Cancelled, "the run was stopped", status), sent);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new(Failed(request, FailureKind.Timeout, $"no complete response within {target.RequestTimeout.TotalSeconds:0.#} s", status), sent);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // Before the headers the connection failed; after them the stream broke off.
            var kind = headersRead ? FailureKind.IncompleteStream : FailureKind.Connection;
            return new(Failed(request, kind, e.InnerException?.Message ?? e.Message, status), sent);
        }
        var result = Complete(request, state, status);
        return new(result, sent, result.Success ? state.UsageCached : null, result.Success ? state.Text : null);
    }

    static RequestResult Complete(WorkloadRequest request, StreamState s, int? status)
    {
        var (failure, error) = s.Failure is { } f ? (f, s.Error)
            : !s.Done ? (FailureKind.IncompleteStream, "the stream ended without [DONE]")
            : s.TextChunks == 0 ? (FailureKind.NoTokens, "the stream finished without a token")
            : ((FailureKind?)null, (string?)null);
        return new RequestResult
        {
            Index = request.Index,
            Success = failure is null,
            Failure = failure,
            Error = error,
            HttpStatus = status,
            TtftMs = Math.Round(s.TtftMs, 3),
            E2elMs = Math.Round(s.E2elMs, 3),
            ItlsMs = [.. s.ItlsMs.Select(v => Math.Round(v, 3))],
            PromptTokens = s.UsagePrompt ?? request.PromptTokens,
            OutputTokens = s.UsageCompletion ?? s.TextChunks,
            TokensApproximate = s.UsageCompletion is null,
            ClientParseMs = Math.Round(s.ParseTicks * 1000.0 / Stopwatch.Frequency, 4),
        };
    }

    static RequestResult Failed(WorkloadRequest request, FailureKind kind, string message, int? status) => new()
    {
        Index = request.Index,
        Failure = kind,
        Error = message,
        HttpStatus = status,
        PromptTokens = request.PromptTokens,
    };

    static async Task<string> ErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error))
                return $"{(int)response.StatusCode}: {StreamState.ErrorMessage(error)}";
        }
        catch (JsonException)
        {
            // Not an OpenAI error object: report the text itself.
        }
        return $"{(int)response.StatusCode}: {StreamState.Clip(text)}";
    }
}
