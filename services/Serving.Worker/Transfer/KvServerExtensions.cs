using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Serving.Worker.Transfer.Pull;

namespace Serving.Worker.Transfer;

/// <summary>Wiring for the process's KV receiver: an h2c Kestrel endpoint with bulk-sized HTTP/2 windows and the gRPC service.</summary>
public static class KvServerExtensions
{
    public static IServiceCollection AddServingKvTransfer(this IServiceCollection services, GrpcKvOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<KvInboxRegistry>();
        services.AddSingleton<KvOutboxRegistry>();
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = options.MaxMessageBytes;
            o.MaxSendMessageSize = options.MaxMessageBytes;
        });
        return services;
    }

    /// <summary>The one place the cluster's KV transport is chosen: both sides of it, for this process's workers.</summary>
    public static IServiceCollection AddServingKvTransport(this IServiceCollection services, KvTransportKind kind)
    {
        services.AddSingleton(sp => new KvChannels(sp.GetRequiredService<GrpcKvOptions>()));
        services.AddSingleton(sp => KvTransports.Create(kind, sp.GetRequiredService<KvInboxRegistry>(), sp.GetRequiredService<KvOutboxRegistry>(), sp.GetRequiredService<KvChannels>()));
        return services;
    }

    /// <summary>Listens for KV on the given loopback or any-address port with HTTP/2 only (no TLS: cluster-internal traffic).</summary>
    public static void ListenForKv(this KestrelServerOptions kestrel, System.Net.IPAddress address, int port, GrpcKvOptions options)
    {
        kestrel.Limits.Http2.InitialConnectionWindowSize = options.ConnectionWindowBytes;
        kestrel.Limits.Http2.InitialStreamWindowSize = options.StreamWindowBytes;
        kestrel.Limits.Http2.MaxFrameSize = options.MaxFrameBytes;
        kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);
    }

    public static IEndpointRouteBuilder MapServingKvTransfer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<KvTransferService>();
        return endpoints;
    }
}
