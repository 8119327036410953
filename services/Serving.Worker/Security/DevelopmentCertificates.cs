using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serving.Worker.Security;

/// <summary>
/// Writes a development CA and one cluster certificate signed by it, in the layout <see cref="ClusterTls"/> loads
/// (for docker-compose and tests; production takes its certificates from cert-manager or its own CA). The CA's key
/// is not kept: a new host means a new set.
/// </summary>
public static class DevelopmentCertificates
{
    static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <param name="hosts">Names and addresses the certificate is for, besides localhost and 127.0.0.1.</param>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(string folder, IEnumerable<string> hosts, TimeSpan lifetime)
    {
        Directory.CreateDirectory(folder);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore + lifetime;

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=Serving development CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={ClusterTls.ServerName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        // One certificate serves both ends of every connection: it listens (server) and connects (client).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in new[] { ClusterTls.ServerName, "localhost", "127.0.0.1" }.Concat(hosts).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(host, out var address))
                names.AddIpAddress(address);
            else
                names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var certificate = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));

        var written = new[]
        {
            Write(folder, ClusterTls.AuthorityFile, authority.ExportCertificatePem(), secret: false),
            Write(folder, ClusterTls.CertificateFile, certificate.ExportCertificatePem(), secret: false),
            Write(folder, ClusterTls.KeyFile, key.ExportPkcs8PrivateKeyPem(), secret: true),
        };
        return written;
    }

    static string Write(string folder, string file, string pem, bool secret)
    {
        var path = Path.Combine(folder, file);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // The key is readable by its owner only from the moment it exists.
        if (secret && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, options))
            writer.Write(pem + "\n");
        if (secret && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
