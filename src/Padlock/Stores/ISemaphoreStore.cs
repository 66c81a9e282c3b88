namespace Padlock.Stores;

/// <summary>
/// Optional on a store: counting semaphores. A lease holds one permit of <c>name</c>; at most <c>maxCount</c> leases of
/// one name are held at once across every client of the store. Fencing tokens of the permits of one name strictly
/// increase in grant order. The same wait rules as <see cref="ILockStore.TryAcquireAsync"/> apply.
/// </summary>
public interface ISemaphoreStore
{
    /// <summary>
    /// Tries to take one permit of <paramref name="name"/> (validated by <see cref="LockNames.Validate"/>), with at most
    /// <paramref name="maxCount"/> permits held at once (1 to <see cref="SemaphoreLimits.MaxCount"/>, validated by the core).
    /// </summary>
    /// <exception cref="SemaphoreCountMismatchException">Another holder of the name uses a different maxCount.</exception>
    ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait);
}
