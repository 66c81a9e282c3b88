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
    /// <param name="timeout">
    /// <see cref="TimeSpan.Zero"/>: one attempt, no waiting, and nothing left behind in the store when it fails.
    /// <see cref="Timeout.InfiniteTimeSpan"/>: wait until granted or cancelled. Otherwise a positive wait.
    /// </param>
    /// <param name="cancellationToken">Cancels the wait; the store must leave nothing behind (queue entries, nodes).</param>
    /// <returns>The lease, or <see langword="null"/> when the timeout passed first.</returns>
    ValueTask<StoreLease?> TryAcquireAsync(string name, TimeSpan timeout, CancellationToken cancellationToken);
}
