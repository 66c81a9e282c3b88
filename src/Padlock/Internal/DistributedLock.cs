using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Internal;

/// <summary>The one implementation of <see cref="IDistributedLock"/>: the shared acquire path over <see cref="ILockStore.TryAcquireAsync"/>.</summary>
internal sealed class DistributedLock(string name, object provider, ILockStore store, ILogger logger, TimeProvider time)
    : DistributedPrimitive(name, "lock", provider, store, logger, time), IDistributedLock
{
    protected override string Describe => $"lock '{Name}'";

    protected override ValueTask<StoreLease?> TryAcquireInStoreAsync(LockWait wait) => Store.TryAcquireAsync(Name, wait);
}
