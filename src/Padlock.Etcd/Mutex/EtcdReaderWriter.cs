using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// The reader-writer lock: one line at <c>PREFIX/#rw/NAME/</c> in create-revision order, readers' keys under <c>r/</c>
/// and writers' under <c>w/</c> (etcd's experimental rwmutex.go, with cancellation, the own-key check after each wait
/// and the revision-guarded release of the lock's recipe). A writer is the lock over the whole line: it holds when no
/// key is below its own and watches the key just below. A reader looks at the write keys only: it holds when none is
/// below its own and watches the nearest one, so a queued writer blocks later readers and readers ahead of it share.
/// </summary>
internal static class EtcdReaderWriter
{
    public static ValueTask<StoreLease?> TryAcquireAsync(EtcdLockStore store, string name, LockMode mode, LockWait wait)
    {
        var policy = LinePolicy.ReaderWriter(mode);
        var line = LockKeys.ReaderWriterPrefixOf(store.Prefix, name);
        var writers = LockKeys.Under(line, "w");
        var spec = mode == LockMode.Write
            ? new LineSpec(line, policy, store.OwnerValue, null, writers)
            : new LineSpec(writers, policy, store.OwnerValue, null, LockKeys.Under(line, "r"));
        return EtcdMutex.TryAcquireAsync(store, spec, name, wait);
    }
}
