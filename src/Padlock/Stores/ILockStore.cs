namespace Padlock.Stores;

/// <summary>
/// What a store implements to plug into Padlock: one primitive, "try to acquire this name within this timeout".
/// Everything else (argument checks, <see cref="TimeoutException"/>, synchronous forms, idempotent release,
/// telemetry and logging) is built once in <see cref="LockProvider"/> on top of it.
/// </summary>
/// <remarks>
/// Further primitives (semaphores, reader-writer locks, leader election) arrive as further optional interfaces
/// a store may implement next to this one, returning the same <see cref="StoreLease"/>.
/// </remarks>
public interface ILockStore : IAsyncDisposable
{
    /// <summary>The store's URI scheme, used in telemetry tags and messages ("redis", "zk", ...).</summary>
    string Kind { get; }

    /// <summary>
    /// Tries to acquire <paramref name="name"/> (already validated by <see cref="LockNames.Validate"/>).
    /// </summary>
    /// <param name="name">The lock name.</param>
    /// <param name="wait">
    /// How long to wait, built by the core for this call (see <see cref="LockWait"/>). A single attempt
    /// (<see cref="LockWait.IsSingleAttempt"/>) must leave nothing behind in the store when it fails. Otherwise wait on
    /// <see cref="LockWait.Token"/>; when it fires, leave nothing behind (queue entries, nodes) and let the
    /// <see cref="OperationCanceledException"/> go: the core turns a passed deadline into "not acquired". A positive
    /// timeout bounds the waiting, never the first attempt or connecting (bound those by
    /// <see cref="LockWait.CancellationToken"/> and the store's own connect timeout).
    /// </param>
    /// <returns>The lease, or <see langword="null"/> when the lock was not granted (busy, or the deadline passed).</returns>
    ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait);
}
