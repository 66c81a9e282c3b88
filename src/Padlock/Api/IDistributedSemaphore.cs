namespace Padlock;

/// <summary>
/// A named counting semaphore: at most <see cref="MaxCount"/> handles of the name are held at once across every process
/// that uses the same store. Each handle holds one permit and carries a fencing token strictly greater than every
/// earlier permit's of the same name. Obtain one from <see cref="ILockProvider.CreateSemaphore(string, int)"/>; the
/// object itself holds nothing and is cheap.
/// </summary>
/// <remarks>
/// Every client of one name must use the same <see cref="MaxCount"/>: a store that sees two counts in use refuses with
/// <see cref="Stores.SemaphoreCountMismatchException"/> rather than admit more holders than either asked for.
/// Not reentrant: a second acquire of a name this async flow already holds a permit of, through the same provider, fails
/// at once with <see cref="LockRecursionException"/> (tasks the flow started after its acquire count as the same flow).
/// Semaphore and lock names are separate: a semaphore "x" and a lock "x" never exclude each other.
/// </remarks>
public interface IDistributedSemaphore
{
    /// <summary>The semaphore's name as given to <see cref="ILockProvider.CreateSemaphore(string, int)"/>.</summary>
    string Name { get; }

    /// <summary>How many permits may be held at once: 1 to <see cref="Stores.SemaphoreLimits.MaxCount"/>.</summary>
    int MaxCount { get; }

    /// <summary>
    /// Tries to take one permit, waiting up to <paramref name="timeout"/>. A zero timeout (the default) makes exactly one
    /// attempt and never waits. <see cref="Timeout.InfiniteTimeSpan"/> waits until granted or cancelled.
    /// </summary>
    /// <returns>The handle that holds the permit, or <see langword="null"/> when none could be had in time.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before a permit was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds a permit of this name through this provider.</exception>
    /// <exception cref="Stores.SemaphoreCountMismatchException">The name is in use with another maxCount.</exception>
    ValueTask<ILockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Takes one permit, waiting up to <paramref name="timeout"/> (forever when <see langword="null"/>, the default).</summary>
    /// <returns>The handle that holds the permit.</returns>
    /// <exception cref="TimeoutException">No permit was granted within the timeout.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before a permit was granted.</exception>
    /// <exception cref="LockRecursionException">This async flow already holds a permit of this name through this provider.</exception>
    /// <exception cref="Stores.SemaphoreCountMismatchException">The name is in use with another maxCount.</exception>
    ValueTask<ILockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="TryAcquireAsync(TimeSpan, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default);

    /// <summary>Synchronous form of <see cref="AcquireAsync(TimeSpan?, CancellationToken)"/>; blocks the calling thread.</summary>
    ILockHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
