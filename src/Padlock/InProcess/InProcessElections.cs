using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// The leader elections of one <see cref="InProcessLockStore"/>: per name, the exclusive lock's FIFO line (a resignation
/// hands leadership straight to the next campaigner) with the leader's value, and the observers, each fed every change
/// in order through its own channel. Terms come from the store's token counter.
/// </summary>
internal sealed class InProcessElections(Func<long> nextToken)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool _disposed;

    internal async ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        InProcessWaiter waiter;
        lock (_entries)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(InProcessLockStore));
            var entry = EntryOf(name);
            if (entry.Leader is null && entry.Queue.Count == 0) return Elect(entry, value);
            if (wait.IsSingleAttempt)
            {
                RemoveIfIdle(name);
                return null;
            }
            waiter = new InProcessWaiter { Value = value };
            waiter.Node = entry.Queue.AddLast(waiter);
        }
        return await waiter.WaitAsync(wait, _entries, RemoveIfIdle, name).ConfigureAwait(false);
    }

    internal ValueTask ProclaimAsync(StoreLease leadership, string value)
    {
        var lease = (Lease)leadership;
        lock (_entries)
        {
            if (lease.Entry.Leader != lease) throw new InvalidOperationException($"The leadership of election '{lease.Entry.Name}' is no longer held.");
            lease.Value = value;
            Publish(lease.Entry);
        }
        return ValueTask.CompletedTask;
    }

    internal LeaderInfo? GetLeader(string name)
    {
        lock (_entries) return _entries.TryGetValue(name, out var e) ? InfoOf(e) : null;
    }

    internal async IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<LeaderInfo?>(new UnboundedChannelOptions { SingleReader = true });
        Entry entry;
        lock (_entries)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(InProcessLockStore));
            entry = EntryOf(name);
            entry.Observers.Add(channel.Writer);
            channel.Writer.TryWrite(InfoOf(entry));
        }
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var info)) yield return info;
            }
        }
        finally
        {
            lock (_entries)
            {
                entry.Observers.Remove(channel.Writer);
                RemoveIfIdle(name);
            }
        }
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
            e.Leader?.MarkLost();
            foreach (var w in e.Queue) w.Result.TrySetException(new ObjectDisposedException(nameof(InProcessLockStore)));
            foreach (var o in e.Observers) o.TryComplete();
        }
    }

    // Under the lock.
    private Entry EntryOf(string name)
    {
        if (!_entries.TryGetValue(name, out var entry)) _entries[name] = entry = new Entry(name);
        return entry;
    }

    // Under the lock.
    private Lease Elect(Entry entry, string value)
    {
        var lease = new Lease(this, entry, nextToken()) { Value = value };
        entry.Leader = lease;
        Publish(entry);
        return lease;
    }

    private static LeaderInfo? InfoOf(Entry e) => e.Leader is { } l ? new LeaderInfo(l.Value, l.FencingToken) : null;

    // Under the lock: every observer gets the change, in order.
    private static void Publish(Entry entry)
    {
        var info = InfoOf(entry);
        foreach (var o in entry.Observers) o.TryWrite(info);
    }

    private void Resign(Lease lease)
    {
        lock (_entries)
        {
            var entry = lease.Entry;
            if (entry.Leader != lease) return; // the store was disposed: nothing to hand on
            entry.Leader = null;
            while (entry.Queue.First is { } node)
            {
                entry.Queue.RemoveFirst();
                var next = new Lease(this, entry, nextToken()) { Value = node.Value.Value! };
                if (node.Value.Result.TrySetResult(next))
                {
                    entry.Leader = next;
                    break;
                }
                // That campaigner had already timed out or been cancelled; its term number is simply skipped.
            }
            Publish(entry);
            RemoveIfIdle(entry.Name);
        }
    }

    private void RemoveIfIdle(string name)
    {
        if (_entries.TryGetValue(name, out var e) && e.Leader is null && e.Queue.Count == 0 && e.Observers.Count == 0) _entries.Remove(name);
    }

    private sealed class Entry(string name)
    {
        public readonly string Name = name;
        public Lease? Leader;
        public readonly LinkedList<InProcessWaiter> Queue = new();
        public readonly List<ChannelWriter<LeaderInfo?>> Observers = [];
    }

    private sealed class Lease(InProcessElections owner, Entry entry, long term) : StoreLease
    {
        public Entry Entry => entry;
        public string Value = "";
        public override long FencingToken => term;

        protected override ValueTask ReleaseCoreAsync()
        {
            owner.Resign(this);
            return ValueTask.CompletedTask;
        }
    }
}
