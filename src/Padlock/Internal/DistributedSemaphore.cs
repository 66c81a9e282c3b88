using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Internal;

/// <summary>The one implementation of <see cref="IDistributedSemaphore"/>: the shared acquire path over <see cref="ISemaphoreStore"/>.</summary>
internal sealed class DistributedSemaphore(string name, int maxCount, object provider, ILockStore store, ISemaphoreStore semaphores, ILogger logger, TimeProvider time)
    : DistributedPrimitive(name, "semaphore", provider, store, logger, time), IDistributedSemaphore
{
    public int MaxCount { get; } = maxCount;

    protected override string Describe => $"semaphore '{Name}' (maxCount {MaxCount})";

    protected override ValueTask<StoreLease?> TryAcquireInStoreAsync(LockWait wait)
        => semaphores.TryAcquireSemaphoreAsync(Name, MaxCount, wait);
}
