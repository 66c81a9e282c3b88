using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// The reader-writer locks of one <see cref="InProcessLockStore"/>: one FIFO line per name. A request is granted at once
/// only when nobody waits (so a newcomer never overtakes, and a waiting writer blocks later readers) and the holders
/// allow it (a reader: no writer holds; a writer: nobody holds). A release, or a waiter leaving, grants from the head of
/// the line: one writer, or every reader up to the next writer. Tokens come from the store's counter.
/// </summary>
internal sealed class InProcessReaderWriterLocks(Func<long> nextToken)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool _disposed;

    internal async ValueTask<StoreLease?> TryAcquireAsync(string name, LockMode mode, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        if (mode is not (LockMode.Read or LockMode.Write))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be LockMode.Read or LockMode.Write.");
        InProcessWaiter waiter;
        lock (_entries)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(InProcessLockStore));
            if (!_entries.TryGetValue(name, out var entry)) _entries[name] = entry = new Entry();
            if (entry.Queue.Count == 0 && entry.Admits(mode)) return Grant(name, entry, mode);
            if (wait.IsSingleAttempt)
            {
                RemoveIfIdle(name);
                return null;
            }
            waiter = new InProcessWaiter { Mode = mode };
            waiter.Node = entry.Queue.AddLast(waiter);
        }

        // A waiter that leaves may have been the writer holding readers back: the line is served again as it goes.
        return await waiter.WaitAsync(wait, _entries, ServeAndTidy, name).ConfigureAwait(false);
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
    private Lease Grant(string name, Entry entry, LockMode mode)
    {
        var lease = new Lease(this, name, entry, mode, nextToken());
        entry.Holders.Add(lease);
        if (mode == LockMode.Write) entry.Writing = true;
        return lease;
    }

    private void Release(Lease lease)
    {
        lock (_entries)
        {
            if (!lease.Entry.Holders.Remove(lease)) return; // the store was disposed: nothing to hand on
            if (lease.Mode == LockMode.Write) lease.Entry.Writing = false;
            ServeAndTidy(lease.Name);
        }
    }

    // Under the lock: grants from the head of the line while the holders allow it.
    private void ServeAndTidy(string name)
    {
        if (!_entries.TryGetValue(name, out var entry)) return;
        while (entry.Queue.First is { } node && entry.Admits(node.Value.Mode))
        {
            entry.Queue.RemoveFirst();
            var next = new Lease(this, name, entry, node.Value.Mode, nextToken());
            if (!node.Value.Result.TrySetResult(next)) continue; // timed out or cancelled already: its token is skipped
            entry.Holders.Add(next);
            if (next.Mode == LockMode.Write) entry.Writing = true;
        }
        RemoveIfIdle(name);
    }

    private void RemoveIfIdle(string name)
    {
        if (_entries.TryGetValue(name, out var e) && e.Holders.Count == 0 && e.Queue.Count == 0) _entries.Remove(name);
    }

    private sealed class Entry
    {
        public readonly HashSet<Lease> Holders = [];
        public readonly LinkedList<InProcessWaiter> Queue = new();
        public bool Writing;

        public bool Admits(LockMode mode) => mode == LockMode.Read ? !Writing : Holders.Count == 0;
    }

    private sealed class Lease(InProcessReaderWriterLocks owner, string name, Entry entry, LockMode mode, long token) : StoreLease
    {
        public string Name => name;
        public Entry Entry => entry;
        public LockMode Mode => mode;
        public override long FencingToken => token;

        protected override ValueTask ReleaseCoreAsync()
        {
            owner.Release(this);
            return ValueTask.CompletedTask;
        }
    }
}
