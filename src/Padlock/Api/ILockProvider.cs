namespace Padlock;

/// <summary>
/// Makes locks on one store. A provider owns the store's connections and sessions, so create one per store and
/// application (it is thread-safe) and dispose it at shutdown; disposing it loses the locks still held through it.
/// </summary>
public interface ILockProvider : IAsyncDisposable
{
    /// <summary>The store's URI scheme ("mem", "file", "redis", "redlock", "zk", "etcd").</summary>
    string StoreKind { get; }

    /// <summary>Returns the lock with the given name. Any non-empty name is allowed; stores encode what they cannot store as is.</summary>
    /// <exception cref="ArgumentException">The name is null, empty, whitespace only, or longer than <see cref="LockNames.MaxLength"/> characters.</exception>
    IDistributedLock CreateLock(string name);

    /// <summary>
    /// Returns the counting semaphore with the given name: at most <paramref name="maxCount"/> permits held at once.
    /// Names follow the lock's rules; a semaphore's names are separate from the locks' names.
    /// </summary>
    /// <param name="name">The semaphore name.</param>
    /// <param name="maxCount">How many permits may be held at once, 1 to <see cref="Stores.SemaphoreLimits.MaxCount"/>; every client of the name must use the same.</param>
    /// <exception cref="ArgumentException">The name is not a valid lock name (see <see cref="LockNames.Validate"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is below 1 or above <see cref="Stores.SemaphoreLimits.MaxCount"/>.</exception>
    /// <exception cref="NotSupportedException">The store has no semaphores (the message names the stores that do).</exception>
    IDistributedSemaphore CreateSemaphore(string name, int maxCount);

    /// <summary>
    /// Returns the reader-writer lock with the given name: many readers at once or one writer, with a waiting writer
    /// blocking readers that arrive after it (see <see cref="IDistributedReaderWriterLock"/> for the order rule).
    /// Names follow the lock's rules; reader-writer names are separate from the locks' and the semaphores' names.
    /// </summary>
    /// <param name="name">The lock name.</param>
    /// <exception cref="ArgumentException">The name is not a valid lock name (see <see cref="LockNames.Validate"/>).</exception>
    /// <exception cref="NotSupportedException">The store has no reader-writer locks (the message names the stores that do).</exception>
    IDistributedReaderWriterLock CreateReaderWriterLock(string name);

    /// <summary>
    /// Returns the leader election with the given name: at most one campaigner leads at a time, with a value others can
    /// read and follow (see <see cref="IDistributedElection"/>). Names follow the lock's rules; election names are
    /// separate from the locks', the semaphores' and the reader-writer locks' names.
    /// </summary>
    /// <param name="name">The election name.</param>
    /// <exception cref="ArgumentException">The name is not a valid lock name (see <see cref="LockNames.Validate"/>).</exception>
    /// <exception cref="NotSupportedException">The store has no elections (the message names the stores that do: mem://, zk://, etcd://, postgres://).</exception>
    IDistributedElection CreateElection(string name);
}
