using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serving.LoadTest.Tests.Support;

/// <summary>
/// A minimal OpenAI-compatible server on loopback (real Kestrel, real SSE) whose timings and failures are scripted:
/// each script lives under its own path prefix, so <c>BaseUrl("name")</c> is a server of its own. Token deadlines
/// are counted from the request's arrival, so a late timer does not push every later token back.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string Model = "fake-model";
    readonly WebApplication app;
    readonly IReadOnlyDictionary<string, FakeScript> scripts;
    readonly ConcurrentDictionary<string, int> arrivals = new();
    readonly ConcurrentDictionary<string, SemaphoreSlim> slots = new();
    readonly ConcurrentDictionary<string, ConcurrentQueue<FakeExchange>> exchanges = new();
    int inFlight;

    FakeOpenAiServer(WebApplication app, IReadOnlyDictionary<string, FakeScript> scripts)
    {
        this.app = app;
        this.scripts = scripts;
    }

    public int Port { get; private set; }

    /// <summary>Requests that reached the server, by script.</summary>
    public int Arrivals(string script) => arrivals.GetValueOrDefault(script);

    /// <summary>The requests of a <see cref="FakeScript.Recorded"/> script in the order they were answered, each with the answer's text.</summary>
    public IReadOnlyList<FakeExchange> Exchanges(string script) => exchanges.TryGetValue(script, out var q) ? [.. q] : [];

    public Uri BaseUrl(string script) => new($"http://127.0.0.1:{Port}/{script}/");

    public static async Task<FakeOpenAiServer> StartAsync(IReadOnlyDictionary<string, FakeScript> scripts)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app, scripts);
        app.MapGet("/{script}/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = Model, @object = "model" } } }));
        app.MapPost("/{script}/v1/completions", (string script, HttpContext http) => server.StreamAsync(script, http, chat: false));
        app.MapPost("/{script}/v1/chat/completions", (string script, HttpContext http) => server.StreamAsync(script, http, chat: true));
        app.MapGet("/{script}/metrics", (string script) => server.Metrics(script));
        app.MapPost("/{script}/tokenize", async (HttpContext http) =>
        {
            var body = await JsonDocument.ParseAsync(http.Request.Body);
            var words = body.RootElement.GetProperty("prompt").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return Results.Json(new { count = words.Length, tokens = words.Select(w => w.Length * 100 + w[0]).ToArray() });
        });
        app.MapPost("/{script}/detokenize", async (HttpContext http) =>
        {
            var body = await JsonDocument.ParseAsync(http.Request.Body);
            return Results.Json(new { prompt = string.Join(' ', body.RootElement.GetProperty("tokens").EnumerateArray().Select(t => $"t{t.GetInt32()}")) });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    async Task StreamAsync(string name, HttpContext http, bool chat)
    {
        var start = Stopwatch.GetTimestamp();
        var script = scripts[name];
        var arrival = arrivals.AddOrUpdate(name, 1, (_, n) => n + 1) - 1;
        var mode = script.ModeFor(arrival);
        var others = Interlocked.Increment(ref inFlight) - 1;
        var slot = script.MaxConcurrent is { } k ? slots.GetOrAdd(name, _ => new SemaphoreSlim(k, k)) : null;
        var holding = false;
        try
        {
            if (slot is not null)
            {
                // Queued until a slot frees: the wait is part of the client's TTFT, the service time starts now.
                await slot.WaitAsync(http.RequestAborted);
                holding = true;
                start = Stopwatch.GetTimestamp();
            }
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var root = body.RootElement;
            var tokens = root.TryGetProperty(chat ? "max_completion_tokens" : "max_tokens", out var m) ? m.GetInt32() : 16;
            if (mode == FakeMode.Http500)
            {
                http.Response.StatusCode = 500;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "scripted failure", type = "server_error", code = 500 } });
                return;
            }
            http.Response.ContentType = "text/event-stream";
            var ttft = script.TtftMs + script.TtftPerInFlightMs * others;
            var ct = http.RequestAborted;
            var answer = new StringBuilder();
            for (var i = 0; i < tokens; i++)
            {
                await DelayUntil(start, ttft + i * script.ItlMs, ct);
                if (i == tokens / 2 && mode == FakeMode.ErrorEvent)
                {
                    await Write(http, "{\"error\": {\"message\": \"scripted stream failure\", \"type\": \"server_error\", \"code\": 500}}", ct);
                    await Write(http, "[DONE]", ct);
                    return;
                }
                if (i == tokens / 2 && mode == FakeMode.MalformedJson)
                    await Write(http, "{\"choices\": [{\"text\": \"tok", ct);
                if (i == tokens / 2 && mode == FakeMode.NoDone)
                    return;
                if (i == 1 && mode == FakeMode.Hang)
                    await Task.Delay(Timeout.Infinite, ct);
                var text = script.Recorded ? $" a{arrival}t{i}" : $" tok{i}";
                answer.Append(text);
                await Write(http, Chunk(chat, text, first: i == 0), ct);
            }
            if (script.Usage)
                await Write(http, Usage(script, root, tokens), ct);
            // Kept before [DONE]: the client's next turn, or the test, must find it there.
            if (script.Recorded)
                exchanges.GetOrAdd(name, _ => new()).Enqueue(new FakeExchange(root.Clone(), answer.ToString()));
            await Write(http, "[DONE]", ct);
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            if (holding)
                slot!.Release();
            Interlocked.Decrement(ref inFlight);
        }
    }

    static string Chunk(bool chat, string text, bool first) => chat
        ? first
            ? $"{{\"id\": \"x\", \"object\": \"chat.completion.chunk\", \"choices\": [{{\"index\": 0, \"delta\": {{\"role\": \"assistant\", \"content\": \"{text}\"}}, \"finish_reason\": null}}]}}"
            : $"{{\"id\": \"x\", \"object\": \"chat.completion.chunk\", \"choices\": [{{\"index\": 0, \"delta\": {{\"content\": \"{text}\"}}, \"finish_reason\": null}}]}}"
        : $"{{\"id\": \"x\", \"object\": \"text_completion\", \"choices\": [{{\"index\": 0, \"text\": \"{text}\", \"finish_reason\": null}}]}}";

    /// <summary>The usage chunk: 7 prompt tokens, or with <see cref="FakeScript.CachedShare"/> the prompt's words and their cached share.</summary>
    static string Usage(FakeScript script, JsonElement body, int tokens)
    {
        if (script.CachedShare is not { } share)
            return $"{{\"id\": \"x\", \"choices\": [], \"usage\": {{\"prompt_tokens\": 7, \"completion_tokens\": {tokens}, \"total_tokens\": {tokens + 7}}}}}";
        var text = body.TryGetProperty("messages", out var messages)
            ? string.Join(' ', messages.EnumerateArray().Select(m => m.GetProperty("content").GetString()))
            : body.GetProperty("prompt").GetString()!;
        var prompt = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return $"{{\"id\": \"x\", \"choices\": [], \"usage\": {{\"prompt_tokens\": {prompt}, \"completion_tokens\": {tokens}, \"total_tokens\": {prompt + tokens}, \"prompt_tokens_details\": {{\"cached_tokens\": {(int)(prompt * share)}}}}}}}";
    }

    /// <summary>Serving's counters as its gateway exports them, grown by the script's requests; and a histogram whose name shares a counter's prefix (not a counter: left out of sums).</summary>
    IResult Metrics(string name)
    {
        if (!scripts.TryGetValue(name, out var script) || !script.Metrics)
            return Results.NotFound();
        var n = Arrivals(name);
        return Results.Text($$"""
            # HELP serving_kv_transfer_bytes_total KV bytes imported by decode workers.
            # TYPE serving_kv_transfer_bytes_total counter
            serving_kv_transfer_bytes_total{direction="push",outcome="ok"} {{1000 * n}}
            serving_kv_transfer_bytes_total{direction="pull",outcome="ok"} {{24 * n}}
            # TYPE serving_kv_transfer_bytes_per_request histogram
            serving_kv_transfer_bytes_per_request_bucket{le="+Inf"} {{n}}
            serving_kv_transfer_bytes_per_request_sum {{1024 * n}}
            serving_kv_transfer_bytes_per_request_count {{n}}
            # TYPE serving_prefix_cache_hit_tokens_total counter
            serving_prefix_cache_hit_tokens_total{worker="decode-0"} {{5 * n}}
            # TYPE serving_router_decisions_total counter
            serving_router_decisions_total{reason="prefix"} {{2 * n}}
            serving_router_decisions_total{reason="least_loaded"} {{n}}

            """, "text/plain; version=0.0.4");
    }

    static async Task Write(HttpContext http, string data, CancellationToken ct)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), ct);
        await http.Response.Body.FlushAsync(ct);
    }

    /// <summary>
    /// Waits until <paramref name="ms"/> after <paramref name="start"/>, never less: a timer rounds its wait to whole
    /// milliseconds on a coarser clock and can fire a little early (a clean-clone run measured a 350 ms script as 347.6 ms),
    /// so it waits again for what is left.
    /// </summary>
    static async Task DelayUntil(long start, double ms, CancellationToken ct)
    {
        double remaining;
        while ((remaining = ms - Stopwatch.GetElapsedTime(start).TotalMilliseconds) > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining)), ct);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
