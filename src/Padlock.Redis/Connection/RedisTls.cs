using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>
/// The TLS settings of a store, with its files read once when the store is built: a missing or unreadable file is an
/// <see cref="ArgumentException"/> naming the option then, not a handshake failure on the first lock call.
/// </summary>
internal sealed class RedisTls
{
    private readonly X509Certificate2Collection? _ca;
    private readonly X509Certificate2? _client;
    private readonly string? _host;

    private RedisTls(X509Certificate2Collection? ca, X509Certificate2? client, string? host)
    {
        _ca = ca;
        _client = client;
        _host = host;
    }

    /// <summary>The settings of <paramref name="options"/>, or null when TLS is off.</summary>
    /// <param name="options">The store's options.</param>
    /// <param name="uri">The URI the options came from, for messages (redacted), or null.</param>
    public static RedisTls? Load(RedisLockOptions options, string? uri)
    {
        if (!options.UseTls) return null;
        var ca = options.TlsCaFile is { } caFile
            ? Read(nameof(RedisLockOptions.TlsCaFile), "cafile", caFile, uri, () => Authorities(caFile))
            : null;
        X509Certificate2? client = null;
        if (options.TlsCertificateFile is { } certFile)
        {
            var keyFile = options.TlsKeyFile;
            if (keyFile is not null) Read(nameof(RedisLockOptions.TlsKeyFile), "keyfile", keyFile, uri, () => File.ReadAllBytes(keyFile));
            // A key file beside the certificate, or the key in the certificate's PEM file.
            client = Read(nameof(RedisLockOptions.TlsCertificateFile), "certfile", certFile, uri, () => X509Certificate2.CreateFromPemFile(certFile, keyFile));
        }
        return new RedisTls(ca, client, options.TlsHost);
    }

    /// <summary>Turns TLS on in <paramref name="config"/> with this CA, client certificate and host name.</summary>
    public void Apply(ConfigurationOptions config)
    {
        config.Ssl = true;
        if (_host is not null) config.SslHost = _host;
        if (_ca is { } ca) config.CertificateValidation += (_, certificate, _, errors) => Trusted(ca, certificate, errors);
        if (_client is { } client) config.CertificateSelection += (_, _, _, _, _) => client;
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
            throw new ArgumentException($"RedisLockOptions.{property} (URI option '{uriKey}'): the file '{path}' does not exist.{where}", parameter, new FileNotFoundException(null, path));
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"RedisLockOptions.{property} (URI option '{uriKey}'): '{path}' cannot be read as PEM: {ex.Message}{where}", parameter, ex);
        }
    }
}
