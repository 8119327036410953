using Orleans.Connections.Security;
using Serving.Worker.Security;

namespace Serving.Host;

/// <summary>Mutual TLS on every Orleans connection: silo to silo and client to silo, peers checked against the cluster CA.</summary>
internal static class OrleansTls
{
    public static ISiloBuilder UseServingTls(this ISiloBuilder silo, ClusterTls tls) => silo.UseTls(options =>
    {
        options.LocalCertificate = tls.Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // The chain to the cluster CA is the check; the system store (which does not hold that CA) is not consulted.
        options.RemoteCertificateValidation = (certificate, _, _) => tls.Trusts(certificate);
        options.OnAuthenticateAsClient = (_, client) => client.TargetHost = ClusterTls.ServerName;
    });
}
