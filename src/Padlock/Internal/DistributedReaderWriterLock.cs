using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Internal;

/// <summary>
/// The one implementation of <see cref="IDistributedReaderWriterLock"/>: two sides (read, write) over the shared acquire
/// path. Both sides use one primitive key ("rwlock") for the recursion check, so a flow holding either side is refused
/// the other at once: an upgrade would otherwise wait for itself.
/// </summary>
internal sealed class DistributedReaderWriterLock(string name, object provider, ILockStore store, IReaderWriterLockStore rw, ILogger logger, TimeProvider time)
    : IDistributedReaderWriterLock
{
    private readonly Side _read = new(name, LockMode.Read, provider, store, rw, logger, time);
    private readonly Side _write = new(name, LockMode.Write, provider, store, rw, logger, time);

    public string Name { get; } = name;

    public ValueTask<ILockHandle?> TryAcquireReadAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _read.TryAcquireAsync(timeout, cancellationToken);

    public ValueTask<ILockHandle> AcquireReadAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _read.AcquireAsync(timeout, cancellationToken);

    public ILockHandle? TryAcquireRead(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _read.TryAcquire(timeout, cancellationToken);

    public ILockHandle AcquireRead(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _read.Acquire(timeout, cancellationToken);

    public ValueTask<ILockHandle?> TryAcquireWriteAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _write.TryAcquireAsync(timeout, cancellationToken);

    public ValueTask<ILockHandle> AcquireWriteAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _write.AcquireAsync(timeout, cancellationToken);

    public ILockHandle? TryAcquireWrite(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _write.TryAcquire(timeout, cancellationToken);

    public ILockHandle AcquireWrite(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _write.Acquire(timeout, cancellationToken);

    private sealed class Side(string name, LockMode mode, object provider, ILockStore store, IReaderWriterLockStore rw, ILogger logger, TimeProvider time)
        : DistributedPrimitive(name, "rwlock", provider, store, logger, time)
    {
        protected override string Describe => $"reader-writer lock '{Name}' ({(mode == LockMode.Read ? "read" : "write")})";

        protected override ValueTask<StoreLease?> TryAcquireInStoreAsync(LockWait wait) => rw.TryAcquireReaderWriterAsync(Name, mode, wait);
    }
}
