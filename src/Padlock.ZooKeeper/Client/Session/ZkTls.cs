using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Padlock.ZooKeeper.Client.Session;

/// <summary>
/// The TLS settings of a store, with its files read once when the store is built: a missing or unreadable file is an
/// <see cref="ArgumentException"/> naming the option then, not a handshake failure on the first lock call.
/// </summary>
internal sealed class ZkTls
{
    private readonly X509Certificate2Collection? _ca;
    private readonly X509Certificate2? _client;

    private ZkTls(X509Certificate2Collection? ca, X509Certificate2? client)
    {
        _ca = ca;
        _client = client;
    }

    /// <summary>The settings of <paramref name="options"/>, or null when TLS is off.</summary>
    /// <param name="options">The store's options.</param>
    /// <param name="uri">The URI the options came from, for messages (redacted), or null.</param>
    public static ZkTls? Load(ZooKeeperLockOptions options, string? uri)
    {
        if (!options.UseTls) return null;
        var ca = options.TlsCaFile is { } caFile
            ? Read(nameof(ZooKeeperLockOptions.TlsCaFile), "cafile", caFile, uri, () => Authorities(caFile))
            : null;
        X509Certificate2? client = null;
        if (options.TlsCertificateFile is { } certFile)
        {
            var keyFile = options.TlsKeyFile;
            if (keyFile is not null) Read(nameof(ZooKeeperLockOptions.TlsKeyFile), "keyfile", keyFile, uri, () => File.ReadAllBytes(keyFile));
            client = Read(nameof(ZooKeeperLockOptions.TlsCertificateFile), "certfile", certFile, uri, () => X509Certificate2.CreateFromPemFile(certFile, keyFile));
        }
        return new ZkTls(ca, client);
    }

    /// <summary>The client side of one handshake with <paramref name="targetHost"/>: this CA, this client certificate.</summary>
    public SslClientAuthenticationOptions ClientOptions(string targetHost)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = targetHost };
        if (_ca is { } ca) options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(ca, certificate, errors);
        if (_client is { } client) options.ClientCertificates = [client];
        return options;
    }

    // Only an untrusted chain is checked again, against the given CA alone; a name that does not match the server's
    // certificate, or no certificate at all, stays an error.
    private static bool Trusted(X509Certificate2Collection ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate)) leaf.Dispose();
        }
    }

    // Every certificate of the PEM file (a bundle may hold several); none at all is an error, not "trust nothing".
    private static X509Certificate2Collection Authorities(string path)
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(path);
        return all.Count > 0 ? all : throw new CryptographicException("no CERTIFICATE block found");
    }

    private static T Read<T>(string property, string uriKey, string path, string? uri, Func<T> read)
    {
        var where = uri is null ? "" : $" In '{uri}'.";
        var parameter = uri is null ? property : "uri";
        if (!File.Exists(path))
            throw new ArgumentException($"ZooKeeperLockOptions.{property} (URI option '{uriKey}'): the file '{path}' does not exist.{where}", parameter, new FileNotFoundException(null, path));
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"ZooKeeperLockOptions.{property} (URI option '{uriKey}'): '{path}' cannot be read as PEM: {ex.Message}{where}", parameter, ex);
        }
    }
}
