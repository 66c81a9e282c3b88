namespace Padlock;

/// <summary>
/// A named reader-writer lock across every process that uses the same store: any number of read holds at once, or one
/// write hold alone. Obtain one from <see cref="ILockProvider.CreateReaderWriterLock(string)"/>; the object itself holds
/// nothing and is cheap. Each handle, read or write, carries a fencing token strictly greater than every earlier grant's
/// of the same name (a resource guarded by the lock only needs to check the tokens of writes).
/// </summary>
/// <remarks>
/// <para>
/// Order: requests are served first come, first served, with readers sharing. A writer that waits blocks every reader
/// that arrives after it, so a steady stream of overlapping readers can never starve a writer; readers that arrived
/// before the waiting writer still share the lock with each other. When a writer releases, the readers queued right
/// behind it (up to the next writer) are granted together. Stores that poll instead of queueing (file:// across
/// processes) keep the writer rule but not the strict order; each store's page says what it promises.
/// </para>
/// <para>
/// Not reentrant, and no upgrade or downgrade: a second acquire of the name, read or write, by an async flow that already
/// holds it through the same provider fails at once with <see cref="LockRecursionException"/> (an upgrade would wait for
/// itself forever). Tasks the flow started after its acquire count as the same flow.
/// </para>
/// <para>Reader-writer names are separate from lock and semaphore names: a reader-writer lock "x" never excludes a lock "x".</para>
/// </remarks>
public interface IDistributedReaderWriterLock
{
    /// <summary>The lock's name as given to <see cref="ILockProvider.CreateReaderWriterLock(string)"/>.</summary>
    string Name { get; }

    /// <summary>
    /// Tries to take a read hold, waiting up to <paramref name="timeout"/>. A zero timeout (the default) makes exactly one
    /// attempt and never waits; <see cref="Timeout.InfiniteTimeSpan"/> waits until granted or cancelled. A read hold is
    /// granted while no writer holds the lock and none is waiting ahead of this request.
    /// </summary>
    /// <returns>The handle that holds the read lock, or <see langword="null"/> when it could not be had in time.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the lock was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds this name (read or write) through this provider.</exception>
    ValueTask<ILockHandle?> TryAcquireReadAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Takes a read hold, waiting up to <paramref name="timeout"/> (forever when <see langword="null"/>, the default).</summary>
    /// <returns>The handle that holds the read lock.</returns>
    /// <exception cref="TimeoutException">The lock was not granted within the timeout.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the lock was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds this name (read or write) through this provider.</exception>
    ValueTask<ILockHandle> AcquireReadAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="TryAcquireReadAsync(TimeSpan, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle? TryAcquireRead(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="AcquireReadAsync(TimeSpan?, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle AcquireRead(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tries to take the write hold, waiting up to <paramref name="timeout"/>. A zero timeout (the default) makes exactly
    /// one attempt and never waits; <see cref="Timeout.InfiniteTimeSpan"/> waits until granted or cancelled. Granted when
    /// nobody holds the lock and nobody waits ahead; while it waits, readers that arrive later wait behind it.
    /// </summary>
    /// <returns>The handle that holds the write lock, or <see langword="null"/> when it could not be had in time.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the lock was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds this name (read or write) through this provider.</exception>
    ValueTask<ILockHandle?> TryAcquireWriteAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Takes the write hold, waiting up to <paramref name="timeout"/> (forever when <see langword="null"/>, the default).</summary>
    /// <returns>The handle that holds the write lock.</returns>
    /// <exception cref="TimeoutException">The lock was not granted within the timeout.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the lock was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds this name (read or write) through this provider.</exception>
    ValueTask<ILockHandle> AcquireWriteAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="TryAcquireWriteAsync(TimeSpan, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle? TryAcquireWrite(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="AcquireWriteAsync(TimeSpan?, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle AcquireWrite(TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
