using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Serving.Worker.Security;

/// <summary>
/// The cluster's TLS material — <c>ca.crt</c>, <c>tls.crt</c> and <c>tls.key</c>, as a Kubernetes TLS Secret (and
/// cert-manager) lays them out — and the one rule every internal plane checks a peer by: its certificate chains to
/// the cluster CA. The system's trust store plays no part, so a certificate a public CA issued for any name is
/// refused, and the cluster certificate is the peer's whole identity.
/// </summary>
public sealed class ClusterTls : IDisposable
{
    public const string AuthorityFile = "ca.crt";
    public const string CertificateFile = "tls.crt";
    public const string KeyFile = "tls.key";

    /// <summary>The name a connecting side asks for (SNI); peers are checked by their chain, not by their name.</summary>
    public const string ServerName = "serving-cluster";

    ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The cluster CA's certificates: the only roots a peer may chain to.</summary>
    public X509Certificate2Collection Authority { get; }

    /// <summary>Loads the three PEM files from <paramref name="folder"/>; throws <see cref="InvalidOperationException"/> naming what is missing or wrong.</summary>
    public static ClusterTls Load(string folder)
    {
        string Path(string file)
        {
            var path = System.IO.Path.Combine(folder, file);
            if (!File.Exists(path))
                throw new InvalidOperationException($"TLS folder '{folder}' has no {file} (it needs {AuthorityFile}, {CertificateFile} and {KeyFile}; `serving certs --out {folder}` writes a development set).");
            return path;
        }
        var authorityPath = Path(AuthorityFile);
        var certificatePath = Path(CertificateFile);
        var keyPath = Path(KeyFile);
        var authority = new X509Certificate2Collection();
        try
        {
            authority.ImportFromPemFile(authorityPath);
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (authority.Count == 0)
                throw new InvalidOperationException($"{authorityPath} holds no certificate.");
            var tls = new ClusterTls(certificate, authority);
            if (!tls.Trusts(certificate))
                throw new InvalidOperationException($"{certificatePath} is not issued by the CA in {authorityPath} (or is not valid now).");
            return tls;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidOperationException($"TLS folder '{folder}': {e.Message}", e);
        }
    }

    /// <summary>Whether a peer's certificate chains to the cluster CA and is valid now.</summary>
    public bool Trusts(X509Certificate2? peer)
    {
        if (peer is null)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(peer);
    }

    /// <summary>Checks a peer during a handshake (the callback both <see cref="SslStream"/> sides take).</summary>
    public bool Trusts(X509Certificate? peer) => peer is X509Certificate2 c ? Trusts(c) : peer is not null && Trusts(new X509Certificate2(peer));

    /// <summary>What a connecting side presents and checks: this certificate, and the peer's against the cluster CA.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = ServerName,
        ClientCertificates = [Certificate],
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusts(certificate),
    };

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var c in Authority)
            c.Dispose();
    }
}
