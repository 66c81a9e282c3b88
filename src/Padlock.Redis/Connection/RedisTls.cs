using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>
/// A Redis store's TLS settings: the files (read once, when the store is built; <see cref="TlsFiles"/>) and the host
/// name to check, applied to StackExchange.Redis's configuration.
/// </summary>
internal sealed class RedisTls
{
    private readonly TlsFiles _files;
    private readonly string? _host;

    private RedisTls(TlsFiles files, string? host)
    {
        _files = files;
        _host = host;
    }

    /// <summary>The settings of <paramref name="options"/>, or null when TLS is off.</summary>
    /// <param name="options">The store's options.</param>
    /// <param name="uri">The URI the options came from, for messages (redacted), or null.</param>
    public static RedisTls? Load(RedisLockOptions options, string? uri)
        => options.UseTls
            ? new RedisTls(TlsFiles.Load(nameof(RedisLockOptions), options.TlsCaFile, options.TlsCertificateFile, options.TlsKeyFile, uri), options.TlsHost)
            : null;

    /// <summary>Turns TLS on in <paramref name="config"/> with this CA, client certificate and host name.</summary>
    public void Apply(ConfigurationOptions config)
    {
        config.Ssl = true;
        if (_host is not null) config.SslHost = _host;
        if (_files.HasAuthorities) config.CertificateValidation += (_, certificate, _, errors) => _files.Trusts(certificate, errors);
        if (_files.ClientCertificate is { } client) config.CertificateSelection += (_, _, _, _, _) => client;
    }
}
