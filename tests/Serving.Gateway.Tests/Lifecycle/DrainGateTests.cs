using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Gateway.Errors;
using Serving.Gateway.Generation;
using Serving.Gateway.Lifecycle;
using Serving.Gateway.Responses;
using Serving.Tools.Shared;

namespace Serving.Gateway.Tests.Lifecycle;

/// <summary>
/// The drain gate on real Kestrel, in front of endpoints that run until they are cancelled: what a client sees when
/// the drain time runs out under it — never a truncated answer that looks whole.
/// </summary>
public sealed class DrainGateTests : IAsyncLifetime
{
    readonly GatewayDrain drain = new(NullLogger<GatewayDrain>.Instance);
    WebApplication app = null!;
    HttpClient http = null!;
    readonly TaskCompletionSource streaming = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.UseOpenAiErrors();
        app.UseDrainGate(drain);
        // A stream that writes one chunk, then waits for more that never comes.
        app.MapPost("/v1/completions", async (HttpContext context) =>
        {
            // As SseWriter.RunAsync does, a cancellation is not caught here.
            var sse = new SseWriter(context.Response);
            await sse.WriteAsync(new HealthReport("chunk", null, []), GatewayJson.Api.HealthReport, context.RequestAborted);
            streaming.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        // An answer that is never ready (a non-streaming request still generating).
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            streaming.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await app.StartAsync();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    [Fact]
    public async Task AStreamOpenAtTheDeadline_EndsWithAShuttingDownErrorEvent_ThenDone()
    {
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/completions"), HttpCompletionOption.ResponseHeadersRead);
        var body = response.Content.ReadAsStringAsync();
        await streaming.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await drain.DrainAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);

        var events = (await body.WaitAsync(TimeSpan.FromSeconds(10))).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, events.Length);
        Assert.Equal("shutting_down", JsonDocument.Parse(events[1]["data: ".Length..]).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("data: [DONE]", events[2]);
        Assert.Equal(0, drain.InFlight);
    }

    [Fact]
    public async Task AnAnswerNotReadyAtTheDeadline_Is503ShuttingDown_NotAnEmpty200()
    {
        var response = http.PostAsync("/v1/chat/completions", null);
        await streaming.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await drain.DrainAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);

        using var answered = await response.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(503, (int)answered.StatusCode);
        Assert.Equal("shutting_down", JsonDocument.Parse(await answered.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ARequestArrivingWhileDraining_Is503WithRetryAfter_AndTheDrainEndsAtOnceWhenNothingIsOpen()
    {
        var drained = drain.DrainAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        using var response = await http.PostAsync("/v1/chat/completions", null);

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        await drained.WaitAsync(TimeSpan.FromSeconds(5)); // nothing was open: it does not wait for its 10 s deadline
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
