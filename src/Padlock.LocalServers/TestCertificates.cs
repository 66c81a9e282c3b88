using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Padlock.LocalServers;

/// <summary>
/// A private certificate authority and the certificates signed by it, written as PEM files into a fresh directory, for
/// servers and clients that talk TLS in tests: a server certificate for 127.0.0.1 and localhost (IP and DNS subject
/// alternative names) and a client certificate. Made in-process, so no openssl is needed; valid for one day.
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(string directory) => Directory = directory;

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>The CA's certificate (PEM).</summary>
    public string CaFile => Path.Combine(Directory, "ca.pem");

    /// <summary>The server's certificate (PEM), for 127.0.0.1, ::1 and localhost.</summary>
    public string ServerCertificateFile => Path.Combine(Directory, "server.pem");

    /// <summary>The server's private key (PKCS#8 PEM).</summary>
    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    /// <summary>The client's certificate (PEM), subject CN=padlock-client.</summary>
    public string ClientCertificateFile => Path.Combine(Directory, "client.pem");

    /// <summary>The client's private key (PKCS#8 PEM).</summary>
    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>A second, unrelated CA (PEM), for tests of a server whose certificate is not trusted.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    /// <summary>Makes a CA, a server and a client certificate in a new directory.</summary>
    public static TestCertificates Create()
    {
        var dir = ServerProcess.NewDataDirectory("certs");
        var result = new TestCertificates(dir);
        using var caKey = RSA.Create(2048);
        using var ca = Authority(caKey, "CN=Padlock Test CA");
        File.WriteAllText(result.CaFile, ca.ExportCertificatePem());
        using (var otherKey = RSA.Create(2048))
        using (var other = Authority(otherKey, "CN=Padlock Other CA"))
            File.WriteAllText(result.OtherCaFile, other.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        Issue(ca, "CN=localhost", san.Build(), result.ServerCertificateFile, result.ServerKeyFile);
        Issue(ca, "CN=padlock-client", null, result.ClientCertificateFile, result.ClientKeyFile);
        return result;
    }

    private static X509Certificate2 Authority(RSA key, string subject)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-10), now.AddDays(2));
    }

    private static void Issue(X509Certificate2 ca, string subject, X509Extension? san, string certFile, string keyFile)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        // Both usages on each: some servers (etcd) also check the server certificate when it acts as a client.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (san is not null) request.CertificateExtensions.Add(san);
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), serial);
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
