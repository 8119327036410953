using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Serving.Worker.Security;
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

    /// <summary>
    /// The one place the cluster's KV transport is chosen: both sides of it, for this process's workers. With
    /// <paramref name="tls"/>, every KV connection it opens presents the cluster certificate and checks the peer's.
    /// </summary>
    public static IServiceCollection AddServingKvTransport(this IServiceCollection services, KvTransportKind kind, ClusterTls? tls = null)
    {
        services.AddSingleton(sp => new KvChannels(sp.GetRequiredService<GrpcKvOptions>(), tls));
        services.AddSingleton(sp => KvTransports.Create(kind, sp.GetRequiredService<KvInboxRegistry>(), sp.GetRequiredService<KvOutboxRegistry>(), sp.GetRequiredService<KvChannels>()));
        return services;
    }

    /// <summary>
    /// Listens for KV on the given address and port, HTTP/2 only. With <paramref name="tls"/>, over mutual TLS: a peer
    /// must present a certificate of the cluster CA, and a plaintext or foreign-certificate connection is refused in
    /// the handshake. Without it, plaintext (h2c): for loopback, or a network the operator trusts (--insecure).
    /// </summary>
    public static void ListenForKv(this KestrelServerOptions kestrel, System.Net.IPAddress address, int port, GrpcKvOptions options, ClusterTls? tls = null)
    {
        kestrel.Limits.Http2.InitialConnectionWindowSize = options.ConnectionWindowBytes;
        kestrel.Limits.Http2.InitialStreamWindowSize = options.StreamWindowBytes;
        kestrel.Limits.Http2.MaxFrameSize = options.MaxFrameBytes;
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (tls is not null)
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = tls.Certificate,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = (certificate, _, _) => tls.Trusts(certificate),
                });
        });
    }

    public static IEndpointRouteBuilder MapServingKvTransfer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<KvTransferService>();
        return endpoints;
    }
}
