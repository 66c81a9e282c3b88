namespace Padlock;

/// <summary>
/// Proof that the lock is held. Dispose it (either way) to release the lock; disposing twice is harmless.
/// </summary>
public interface ILockHandle : IAsyncDisposable, IDisposable
{
    /// <summary>The name of the lock this handle holds.</summary>
    string Name { get; }

    /// <summary>
    /// A number that is strictly greater than the token of every earlier holder of the same lock name.
    /// Pass it to the resource the lock protects, and have that resource reject writes carrying a smaller token
    /// than one it has already seen: that keeps a holder that was paused past its lease from doing harm.
    /// How far the guarantee holds (restarts, failover) depends on the store; see docs/stores.md.
    /// </summary>
    long FencingToken { get; }

    /// <summary>
    /// Cancelled when the store can no longer guarantee that this handle holds the lock (lease lost, session
    /// expired, key deleted by someone else, connection gone too long). It is not cancelled by a normal release.
    /// Link it into the work done under the lock so that the work stops when the lock is gone.
    /// </summary>
    CancellationToken LostToken { get; }

    /// <summary>True once <see cref="LostToken"/> has fired.</summary>
    bool IsLost { get; }
}
