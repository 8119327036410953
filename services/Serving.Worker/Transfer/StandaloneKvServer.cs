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

    StandaloneKvServer(WebApplication app, string address)
    {
        this.app = app;
        Address = address;
    }

    /// <summary>Where peers reach it, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }
    public KvInboxRegistry Inboxes => app.Services.GetRequiredService<KvInboxRegistry>();
    public KvOutboxRegistry Outboxes => app.Services.GetRequiredService<KvOutboxRegistry>();

    /// <summary>Starts on a free loopback port; <paramref name="map"/> can add endpoints beside the KV service first.</summary>
    public static async Task<StandaloneKvServer> StartAsync(GrpcKvOptions options, Action<WebApplication>? map = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddServingKvTransfer(options);
        builder.WebHost.ConfigureKestrel(k => k.ListenForKv(IPAddress.Loopback, port, options));
        var app = builder.Build();
        app.MapServingKvTransfer();
        map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StandaloneKvServer(app, address);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
