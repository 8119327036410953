using System.ClientModel;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;
using Serving.Host;
using Serving.Tools.Shared;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>
/// A real `serving` host in this test process — Kestrel on loopback, an Orleans silo, real workers on the default
/// model — built by the same code the executable runs, on free ports.
/// </summary>
public abstract partial class GatewayHost : IAsyncLifetime
{
    WebApplication? app;
    bool stopped;

    public int Port { get; private set; }

    /// <summary>The host's KV gRPC port.</summary>
    public int KvPort { get; private set; }

    /// <summary>The host's services: its grain factory, its local workers.</summary>
    public IServiceProvider Services => app!.Services;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The bearer key clients send (when the host requires one).</summary>
    public virtual string? ApiKey => null;

    private protected abstract HostSettings Settings(int httpPort);

    /// <summary>Whether to wait until the workers have joined (hosts without workers never get there).</summary>
    protected virtual bool WaitForWorkers => true;

    public virtual async Task InitializeAsync()
    {
        Port = FreePort.Next();
        KvPort = FreePort.Next();
        var settings = Settings(Port) with { SiloPort = FreePort.Next(), OrleansClientPort = FreePort.Next(), KvPort = KvPort };
        app = ServingHost.Build(settings, []);
        await app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(120) };
        if (ApiKey is { } key)
            Http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        if (WaitForWorkers)
            await WaitHealthyAsync();
    }

    async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await Http.GetAsync("/health");
            if (response.IsSuccessStatusCode)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the workers did not join: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Stops the host the way SIGTERM does (drain, then stop); <see cref="DisposeAsync"/> then only disposes it.</summary>
    public async Task StopAsync()
    {
        await app!.StopAsync();
        stopped = true;
    }

    public ChatClient Chat(string model = "tiny-llama-v1", string? key = null) =>
        new(model, new ApiKeyCredential(key ?? ApiKey ?? "unused"), new OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{Port}/v1"), NetworkTimeout = TimeSpan.FromSeconds(120) });

    public OpenAIClient Client(string? key = null) =>
        new(new ApiKeyCredential(key ?? ApiKey ?? "unused"), new OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{Port}/v1"), NetworkTimeout = TimeSpan.FromSeconds(120) });

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>/metrics as series → value, each series named as its instrument is (without the scope label).</summary>
    public async Task<Dictionary<string, double>> ScrapeMetricsAsync()
    {
        var text = await Http.GetStringAsync("/metrics");
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var space = line.LastIndexOf(' ');
            values[ScopeLabel().Replace(line[..space], "").Replace("{}", "")] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return values;
    }

    /// <summary>A series of a <see cref="ScrapeMetricsAsync"/> result; 0 when absent (a counter not yet incremented).</summary>
    public static double Metric(Dictionary<string, double> scrape, string series) => scrape.GetValueOrDefault(series);

    [GeneratedRegex("otel_scope_name=\"[^\"]*\",?")]
    private static partial Regex ScopeLabel();

    /// <summary>Whether every worker reports all its KV blocks free (on /health) within <paramref name="timeout"/>.</summary>
    public Task<bool> AllKvFreeWithinAsync(TimeSpan timeout) => KvWithinAsync(allFree: true, timeout);

    /// <summary>Whether some worker reports KV blocks in use (on /health) within <paramref name="timeout"/>.</summary>
    public Task<bool> KvInUseWithinAsync(TimeSpan timeout) => KvWithinAsync(allFree: false, timeout);

    async Task<bool> KvWithinAsync(bool allFree, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var health = JsonDocument.Parse(await Http.GetStringAsync("/health")).RootElement;
            var free = health.GetProperty("workers").EnumerateArray().All(w => w.GetProperty("free_kv_blocks").GetInt32() == w.GetProperty("total_kv_blocks").GetInt32());
            if (free == allFree)
                return true;
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(100);
        }
    }

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (app is not null)
        {
            if (!stopped)
                await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
