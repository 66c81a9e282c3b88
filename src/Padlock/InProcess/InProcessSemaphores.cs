using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// The counting semaphores of one <see cref="InProcessLockStore"/>: first come, first served, and a release hands its
/// permit straight to the next waiter, so a newcomer never overtakes the line. Tokens come from the store's counter.
/// </summary>
internal sealed class InProcessSemaphores(Func<long> nextToken)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool _disposed;

    internal async ValueTask<StoreLease?> TryAcquireAsync(string name, int maxCount, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        InProcessWaiter waiter;
        lock (_entries)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(InProcessLockStore));
            if (!_entries.TryGetValue(name, out var entry)) _entries[name] = entry = new Entry(maxCount);
            // An entry exists only while permits are held or waited for, so its count is the one in use.
            if (entry.MaxCount != maxCount) throw new SemaphoreCountMismatchException(name, maxCount, entry.MaxCount);
            if (entry.Holders.Count < maxCount && entry.Queue.Count == 0) return Grant(name, entry);
            if (wait.IsSingleAttempt) return null;
            waiter = new InProcessWaiter();
            waiter.Node = entry.Queue.AddLast(waiter);
        }

        return await waiter.WaitAsync(wait, _entries, RemoveIfIdle, name).ConfigureAwait(false);
    }

    internal void Dispose()
    {
        List<Entry> entries;
        lock (_entries)
        {
            if (_disposed) return;
            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
        }
        foreach (var e in entries)
        {
            foreach (var h in e.Holders) h.MarkLost();
            foreach (var w in e.Queue) w.Result.TrySetException(new ObjectDisposedException(nameof(InProcessLockStore)));
        }
    }

    // Under the lock.
    private Lease Grant(string name, Entry entry)
    {
        var lease = new Lease(this, name, entry, nextToken());
        entry.Holders.Add(lease);
        return lease;
    }

    private void Release(Lease lease)
    {
        lock (_entries)
        {
            if (!lease.Entry.Holders.Remove(lease)) return; // the store was disposed: nothing to hand on
            // One permit came free: the first waiter still waiting gets it.
            while (lease.Entry.Queue.First is { } node)
            {
                lease.Entry.Queue.RemoveFirst();
                var next = new Lease(this, lease.Name, lease.Entry, nextToken());
                if (node.Value.Result.TrySetResult(next))
                {
                    lease.Entry.Holders.Add(next);
                    return;
                }
                // That waiter had already timed out or been cancelled; its token number is simply skipped.
            }
            RemoveIfIdle(lease.Name);
        }
    }

    private void RemoveIfIdle(string name)
    {
        if (_entries.TryGetValue(name, out var e) && e.Holders.Count == 0 && e.Queue.Count == 0) _entries.Remove(name);
    }

    private sealed class Entry(int maxCount)
    {
        public readonly int MaxCount = maxCount;
        public readonly HashSet<Lease> Holders = [];
        public readonly LinkedList<InProcessWaiter> Queue = new();
    }

    private sealed class Lease(InProcessSemaphores owner, string name, Entry entry, long token) : StoreLease
    {
        public string Name => name;
        public Entry Entry => entry;
        public override long FencingToken => token;

        protected override ValueTask ReleaseCoreAsync()
        {
            owner.Release(this);
            return ValueTask.CompletedTask;
        }
    }
}
