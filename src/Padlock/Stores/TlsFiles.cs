using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Padlock.Stores;

/// <summary>
/// A store's TLS files (a CA bundle, a client certificate and its key, all PEM), read once when the store is built:
/// a missing or unreadable file is an <see cref="ArgumentException"/> naming the option then, not a handshake failure
/// on the first lock call. One copy for every store that speaks TLS (redis://, etcd://, zk://).
/// </summary>
internal sealed class TlsFiles
{
    private readonly X509Certificate2Collection? _ca;

    private TlsFiles(X509Certificate2Collection? ca, X509Certificate2? client)
    {
        _ca = ca;
        ClientCertificate = client;
    }

    /// <summary>The client certificate (with its key), when one was given.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>True when a CA file was given: server certificates are then also checked against it.</summary>
    public bool HasAuthorities => _ca is not null;

    /// <summary>Reads the files the options name.</summary>
    /// <param name="optionsType">The options class, for messages (e.g. <c>RedisLockOptions</c>).</param>
    /// <param name="caFile">The CA bundle (URI option <c>cafile</c>), or null.</param>
    /// <param name="certificateFile">The client certificate (URI option <c>certfile</c>), or null.</param>
    /// <param name="keyFile">The client certificate's key (URI option <c>keyfile</c>), or null when it is in the certificate's file.</param>
    /// <param name="uri">The URI the options came from, for messages (redacted), or null.</param>
    /// <exception cref="ArgumentException">A file is missing or is not readable PEM; the message names the option and the path.</exception>
    public static TlsFiles Load(string optionsType, string? caFile, string? certificateFile, string? keyFile, string? uri)
    {
        var ca = caFile is not null ? Read(optionsType, "TlsCaFile", "cafile", caFile, uri, () => Authorities(caFile)) : null;
        X509Certificate2? client = null;
        if (certificateFile is not null)
        {
            if (keyFile is not null) Read(optionsType, "TlsKeyFile", "keyfile", keyFile, uri, () => File.ReadAllBytes(keyFile));
            // A key file beside the certificate, or the key in the certificate's PEM file.
            client = Read(optionsType, "TlsCertificateFile", "certfile", certificateFile, uri, () => X509Certificate2.CreateFromPemFile(certificateFile, keyFile));
        }
        return new TlsFiles(ca, client);
    }

    /// <summary>The client side of a handshake: this CA, this client certificate (and <paramref name="targetHost"/>, when given).</summary>
    public SslClientAuthenticationOptions ClientOptions(string? targetHost = null)
    {
        var options = new SslClientAuthenticationOptions();
        if (targetHost is not null) options.TargetHost = targetHost;
        if (_ca is not null) options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusts(certificate, errors);
        if (ClientCertificate is { } client) options.ClientCertificates = [client];
        return options;
    }

    /// <summary>
    /// Whether a server certificate is accepted. Only an untrusted chain is checked again, against the given CA alone;
    /// a name that does not match the server's certificate, or no certificate at all, stays an error.
    /// </summary>
    public bool Trusts(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (_ca is null || errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_ca);
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

    private static T Read<T>(string optionsType, string property, string uriKey, string path, string? uri, Func<T> read)
    {
        var where = uri is null ? "" : $" In '{uri}'.";
        var parameter = uri is null ? property : "uri";
        if (!File.Exists(path))
            throw new ArgumentException($"{optionsType}.{property} (URI option '{uriKey}'): the file '{path}' does not exist.{where}", parameter, new FileNotFoundException(null, path));
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{optionsType}.{property} (URI option '{uriKey}'): '{path}' cannot be read as PEM: {ex.Message}{where}", parameter, ex);
        }
    }
}
