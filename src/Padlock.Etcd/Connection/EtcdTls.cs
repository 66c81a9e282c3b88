using Padlock.Stores;

namespace Padlock.Etcd.Connection;

/// <summary>An etcd store's TLS files, read once when the store is built (<see cref="TlsFiles"/>).</summary>
internal static class EtcdTls
{
    /// <summary>The files <paramref name="options"/> name, or null when TLS is off.</summary>
    /// <param name="options">The store's options.</param>
    /// <param name="uri">The URI the options came from, for messages (redacted), or null.</param>
    public static TlsFiles? Load(EtcdLockOptions options, string? uri)
        => options.UseTls ? TlsFiles.Load(nameof(EtcdLockOptions), options.TlsCaFile, options.TlsCertificateFile, options.TlsKeyFile, uri) : null;
}
