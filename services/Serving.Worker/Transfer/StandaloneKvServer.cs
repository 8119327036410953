using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Worker.Transfer.Pull;

namespace Serving.Worker.Transfer;

/// <summary>
/// A process's KV server on its own (no gateway, no silo): Kestrel on a loopback port with the KV gRPC service,
/// for tools and tests that run workers without the `serving` host.
/// </summary>
public sealed class StandaloneKvServer : IAsyncDisposable
{
    readonly WebApplication app;

    StandaloneKvServer(WebApplication app, string address, string? tlsAddress)
    {
        this.app = app;
        Address = address;
        TlsAddress = tlsAddress;
    }

    /// <summary>Where peers reach it, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>With TLS: a second port, the same service over mutual TLS (https://127.0.0.1:…); null without.</summary>
    public string? TlsAddress { get; }
    public KvInboxRegistry Inboxes => app.Services.GetRequiredService<KvInboxRegistry>();
    public KvOutboxRegistry Outboxes => app.Services.GetRequiredService<KvOutboxRegistry>();

    /// <summary>
    /// Starts on a free loopback port; <paramref name="map"/> can add endpoints beside the KV service first. With
    /// <paramref name="tls"/>, also on a second free port over mutual TLS (benchmarks set the two side by side).
    /// </summary>
    public static async Task<StandaloneKvServer> StartAsync(GrpcKvOptions options, Action<WebApplication>? map = null, int port = 0, Security.ClusterTls? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddServingKvTransfer(options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenForKv(IPAddress.Loopback, port, options);
            if (tls is not null)
                k.ListenForKv(IPAddress.Loopback, 0, options, tls);
        });
        var app = builder.Build();
        app.MapServingKvTransfer();
        map?.Invoke(app);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new StandaloneKvServer(app, addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)), addresses.FirstOrDefault(a => a.StartsWith("https:", StringComparison.Ordinal)));
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
