using System.Net.Http.Headers;
using Serving.LoadTest.Client;
using Serving.LoadTest.Soak.Requests;

namespace Serving.LoadTest.Soak.Client;

/// <summary>
/// Sends one soak request, walks away from it when its plan says so, and judges what came back. Every ending,
/// a hang or a torn connection included, is an outcome, never an exception.
/// </summary>
internal sealed class SoakClient(HttpClient http, Uri baseUrl, TimeSpan deadline, SoakClock clock)
{
    static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<SoakOutcome> SendAsync(SoakRequest request, CancellationToken abort)
    {
        var start = clock.Seconds;
        using var overdue = CancellationTokenSource.CreateLinkedTokenSource(abort);
        overdue.CancelAfter(deadline);
        // The client's own departure, linked under the deadline so that either one ends the request.
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(overdue.Token);
        if (request.Disconnect is { } plan && !request.Stream)
            leave.CancelAfter(plan.After);
        int? status = null;
        var chunks = 0;
        var headersRead = false;
        SoakOutcome Outcome(OutcomeKind kind, string? detail) =>
            new(request.Index, kind, request.Api, request.Stream, request.N, request.PromptWords, request.Invalid, status, detail, start, clock.Seconds, chunks);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, request.Path))
            {
                Content = new ByteArrayContent(request.Body) { Headers = { ContentType = Json } },
            };
            if (request.Stream)
                message.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            headersRead = true;
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var (kind, detail) = ResponseCheck.ErrorStatus(request, status.Value, await response.Content.ReadAsStringAsync(leave.Token));
                return Outcome(kind, detail);
            }
            if (request.Invalid is { } mistake)
                return Outcome(OutcomeKind.Violation, $"accepted an invalid request ({mistake}) with {status}");
            if (!request.Stream)
            {
                var (kind, detail) = ResponseCheck.Completion(request, await response.Content.ReadAsStringAsync(leave.Token));
                return Outcome(kind, detail);
            }
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                return Outcome(OutcomeKind.Violation, $"a stream answered as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}");
            var check = new StreamCheck(request.N, wantUsage: true);
            await using var body = await response.Content.ReadAsStreamAsync(leave.Token);
            await foreach (var e in SseReader.ReadAsync(body, leave.Token))
            {
                check.Apply(e);
                chunks = check.ContentChunks;
                // Leaving mid-stream: disposing the unfinished response tears the connection down, as a client that dies does.
                if (request.Disconnect is { } cut && check.Open && check.ContentChunks >= cut.AfterChunks)
                    return Outcome(OutcomeKind.Disconnected, $"left after {chunks} chunk(s)");
            }
            var (end, why) = check.End();
            return Outcome(end, why);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return Outcome(OutcomeKind.Aborted, "the soak was stopped");
        }
        catch (OperationCanceledException) when (overdue.IsCancellationRequested)
        {
            return Outcome(OutcomeKind.Violation, $"no complete answer within {deadline.TotalSeconds:0} s (a hang){(headersRead ? $", status {status}, {chunks} chunk(s)" : ", no headers")}");
        }
        catch (OperationCanceledException) when (leave.IsCancellationRequested)
        {
            return Outcome(OutcomeKind.Disconnected, $"left after {request.Disconnect?.After.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            var why = e.InnerException?.Message ?? e.Message;
            return Outcome(OutcomeKind.Violation, headersRead ? $"the response broke off without an error: {why}" : $"the connection failed: {why}");
        }
    }
}
