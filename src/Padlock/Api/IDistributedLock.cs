namespace Padlock;

/// <summary>
/// A named lock whose holders exclude each other across every process that uses the same store.
/// Obtain one from <see cref="ILockProvider.CreateLock(string)"/>; the object itself holds nothing and is cheap.
/// </summary>
/// <remarks>
/// Not reentrant: a second acquire of a name this async flow already holds through the same provider fails at once with
/// <see cref="LockRecursionException"/> (try or wait, any timeout), rather than waiting for itself. Another flow (a task
/// started before the hold, or one started with the execution context suppressed) or another provider contends normally.
/// </remarks>
public interface IDistributedLock
{
    /// <summary>The lock's name as given to <see cref="ILockProvider.CreateLock(string)"/>.</summary>
    string Name { get; }

    /// <summary>
    /// Tries to acquire the lock, waiting up to <paramref name="timeout"/>.
    /// A zero timeout (the default) makes exactly one attempt and never waits: the classic try-lock.
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits until the lock is granted or <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <returns>The handle that holds the lock, or <see langword="null"/> when it could not be had in time.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the lock was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds the name through this provider.</exception>
    ValueTask<ILockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>
    /// Acquires the lock, waiting up to <paramref name="timeout"/> (forever when <see langword="null"/>, the default).
    /// </summary>
    /// <returns>The handle that holds the lock.</returns>
    /// <exception cref="TimeoutException">The lock was not granted within the timeout.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the lock was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds the name through this provider.</exception>
    ValueTask<ILockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="TryAcquireAsync(TimeSpan, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="AcquireAsync(TimeSpan?, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
