using Padlock.Stores;

namespace Padlock.ZooKeeper.Client.Session;

/// <summary>A ZooKeeper store's TLS files, read once when the store is built (<see cref="TlsFiles"/>).</summary>
internal static class ZkTls
{
    /// <summary>The files <paramref name="options"/> name, or null when TLS is off.</summary>
    /// <param name="options">The store's options.</param>
    /// <param name="uri">The URI the options came from, for messages (redacted), or null.</param>
    public static TlsFiles? Load(ZooKeeperLockOptions options, string? uri)
        => options.UseTls ? TlsFiles.Load(nameof(ZooKeeperLockOptions), options.TlsCaFile, options.TlsCertificateFile, options.TlsKeyFile, uri) : null;
}
