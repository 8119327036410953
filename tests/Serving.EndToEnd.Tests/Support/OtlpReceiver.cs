using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Serving.Tools.Shared;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A stand-in OpenTelemetry collector: accepts OTLP/HTTP exports on loopback and keeps their bodies.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    readonly WebApplication app;

    OtlpReceiver(WebApplication app, int port)
    {
        this.app = app;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    /// <summary>The request bodies received per signal path (/v1/traces, /v1/metrics).</summary>
    public ConcurrentDictionary<string, ConcurrentBag<byte[]>> Exports { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, port);
        app.MapPost("/v1/{signal}", async (HttpContext http, string signal) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver.Exports.GetOrAdd(signal, _ => []).Add(body.ToArray());
            http.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
