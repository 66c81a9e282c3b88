using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// Named locks inside one process (<c>mem://</c>). Waiters are served first come, first served: a release hands the
/// lock straight to the next waiter, with no polling and no window in which a newcomer can barge in.
/// Fencing tokens come from one counter per store. Counting semaphores (<see cref="ISemaphoreStore"/>) work the same
/// way: FIFO, a released permit handed straight to the next waiter; so do reader-writer locks
/// (<see cref="IReaderWriterLockStore"/>), where a waiting writer blocks the readers that arrive after it, and leader
/// elections (<see cref="IElectionStore"/>): the lock's line with a value, every change delivered to every observer.
/// </summary>
public sealed class InProcessLockStore : ILockStore, ISemaphoreStore, IReaderWriterLockStore, IElectionStore, IPrimitiveInspector
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly InProcessSemaphores _semaphores;
    private readonly InProcessReaderWriterLocks _readerWriter;
    private readonly InProcessElections _elections;
    private long _fencing;
    private bool _disposed;

    /// <summary>Creates an empty store. It needs no clock: the core's <see cref="LockWait"/> times each wait.</summary>
    public InProcessLockStore()
    {
        _semaphores = new InProcessSemaphores(() => Interlocked.Increment(ref _fencing));
        _readerWriter = new InProcessReaderWriterLocks(() => Interlocked.Increment(ref _fencing));
        _elections = new InProcessElections(() => Interlocked.Increment(ref _fencing));
    }

    /// <inheritdoc/>
    public string Kind => "mem";

    /// <inheritdoc/>
    public async ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        InProcessWaiter waiter;
        lock (_entries)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(name, out var entry)) _entries[name] = entry = new Entry();
            if (entry.Holder is null && entry.Queue.Count == 0) return entry.Holder = NewLease(name, entry);
            if (wait.IsSingleAttempt) return null;
            waiter = new InProcessWaiter();
            waiter.Node = entry.Queue.AddLast(waiter);
        }

        return await waiter.WaitAsync(wait, _entries, RemoveIfIdle, name).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
        => _semaphores.TryAcquireAsync(name, maxCount, wait);

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
        => _readerWriter.TryAcquireAsync(name, mode, wait);

    /// <inheritdoc/>
    public ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
        => _elections.CampaignAsync(name, value, wait);

    /// <inheritdoc/>
    public ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
        => _elections.ProclaimAsync(leadership, value);

    /// <inheritdoc/>
    public ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
        => new(_elections.GetLeader(name));

    /// <inheritdoc/>
    public IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken)
        => _elections.ObserveAsync(name, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>In-process entries carry no owner description: <see cref="PrimitiveEntry.Owner"/> is null.</remarks>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        return new(_semaphores.Inspect(name, withMode: false, withValue: false));
    }

    /// <inheritdoc/>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        return new(_readerWriter.Inspect(name, withMode: true, withValue: false));
    }

    /// <inheritdoc/>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        return new(_elections.Inspect(name, withMode: false, withValue: true));
    }

    /// <summary>
    /// Ends the current hold of <paramref name="name"/> as an administrator would: its holder's LostToken fires and the
    /// next waiter is served. Returns false when nobody holds it.
    /// </summary>
    public bool Break(string name)
    {
        Lease? broken;
        lock (_entries)
        {
            if (!_entries.TryGetValue(name, out var entry) || entry.Holder is null) return false;
            broken = entry.Holder;
            HandOff(name, entry);
        }
        broken.MarkLost();
        return true;
    }

    /// <summary>Fails every waiter and marks every hold lost.</summary>
    public ValueTask DisposeAsync()
    {
        List<Entry> entries;
        lock (_entries)
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
        }
        _semaphores.Dispose();
        _readerWriter.Dispose();
        _elections.Dispose();
        foreach (var e in entries)
        {
            e.Holder?.MarkLost();
            foreach (var w in e.Queue) w.Result.TrySetException(new ObjectDisposedException(nameof(InProcessLockStore)));
        }
        return ValueTask.CompletedTask;
    }

    private Lease NewLease(string name, Entry entry) => new(this, name, entry, Interlocked.Increment(ref _fencing));

    // Called under the lock: passes the lock to the first waiter still waiting, or frees it.
    private void HandOff(string name, Entry entry)
    {
        entry.Holder = null;
        while (entry.Queue.First is { } node)
        {
            entry.Queue.RemoveFirst();
            var lease = NewLease(name, entry);
            if (node.Value.Result.TrySetResult(lease))
            {
                entry.Holder = lease;
                return;
            }
            // That waiter had already timed out or been cancelled; its token number is simply skipped.
        }
        RemoveIfIdle(name);
    }

    private void RemoveIfIdle(string name)
    {
        if (_entries.TryGetValue(name, out var e) && e.Holder is null && e.Queue.Count == 0) _entries.Remove(name);
    }

    private void Release(Lease lease)
    {
        lock (_entries)
        {
            // A broken lease no longer holds anything: releasing it must not free the next holder's lock.
            if (lease.Entry.Holder == lease) HandOff(lease.Name, lease.Entry);
        }
    }

    private sealed class Entry
    {
        public Lease? Holder;
        public readonly LinkedList<InProcessWaiter> Queue = new();
    }

    private sealed class Lease(InProcessLockStore store, string name, Entry entry, long token) : StoreLease
    {
        public string Name => name;
        public Entry Entry => entry;
        public override long FencingToken => token;

        protected override ValueTask ReleaseCoreAsync()
        {
            store.Release(this);
            return ValueTask.CompletedTask;
        }
    }
}
