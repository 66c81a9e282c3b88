using Google.Protobuf;

namespace Padlock.Etcd.Watching;

/// <summary>What a watch on one key reports: the key was deleted, or the watch cannot say (read the key again).</summary>
internal enum WatchOutcome
{
    /// <summary>A delete event for the key arrived.</summary>
    Deleted,

    /// <summary>etcd cancelled the watch (history compacted, or an error): the watcher must read the key to know.</summary>
    Unknown,
}

/// <summary>One watch on one key (or a key range) for a deletion, multiplexed on the store's shared watch stream.</summary>
internal sealed class KeyWatch
{
    private readonly TaskCompletionSource<long> _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WatchOutcome> _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal KeyWatch(long id, ByteString key, long startRevision, ByteString? rangeEnd = null)
    {
        Id = id;
        Key = key;
        StartRevision = startRevision;
        RangeEnd = rangeEnd;
    }

    public long Id { get; }

    public ByteString Key { get; }

    /// <summary>The end of the watched range (exclusive) when the watch is on a range from <see cref="Key"/>; null for one key.</summary>
    public ByteString? RangeEnd { get; }

    /// <summary>
    /// 0: from the revision after the one current when etcd creates the watch; once created, the revision after that,
    /// so a watch created again on another member after a failure resumes where the first began.
    /// </summary>
    public long StartRevision { get; private set; }

    /// <summary>The stream generation this watch was last sent on (re-sent after a reconnect).</summary>
    internal int Generation { get; set; } = -1;

    /// <summary>Completes with the revision current when etcd created the watch: events after it will be seen.</summary>
    public Task<long> Created => _created.Task;

    /// <summary>Completes when the key (a key of the range) is deleted, or when the watch can no longer tell.</summary>
    public Task<WatchOutcome> Fired => _fired.Task;

    internal void OnCreated(long revision)
    {
        if (StartRevision == 0) StartRevision = revision + 1;
        _created.TrySetResult(revision);
    }

    internal void Fire(WatchOutcome outcome)
    {
        _created.TrySetResult(0);
        _fired.TrySetResult(outcome);
    }
}
