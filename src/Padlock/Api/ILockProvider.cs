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
}
