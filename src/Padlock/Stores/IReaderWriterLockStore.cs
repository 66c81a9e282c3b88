namespace Padlock.Stores;

/// <summary>
/// Optional on a store: reader-writer locks. A lease holds <c>name</c> in a <see cref="LockMode"/>: read leases of one
/// name may be held together, a write lease only alone. Requests are served in arrival order with one rule for
/// readers: a reader that arrives while a writer waits queues behind that writer (writers are never starved), while
/// readers that arrived before the writer share the lock. Fencing tokens of one name strictly increase in grant order,
/// read and write grants alike. Reader-writer names are their own namespace, apart from locks and semaphores. The same
/// wait rules as <see cref="ILockStore.TryAcquireAsync"/> apply.
/// </summary>
public interface IReaderWriterLockStore
{
    /// <summary>Tries to hold <paramref name="name"/> (validated by <see cref="LockNames.Validate"/>) in <paramref name="mode"/>.</summary>
    /// <returns>The lease, or null when it could not be had within the wait.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is neither <see cref="LockMode.Read"/> nor <see cref="LockMode.Write"/>.</exception>
    ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait);
}
