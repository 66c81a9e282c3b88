using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Mvccpb;
using Padlock.Etcd.Session;
using Padlock.Etcd.Watching;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// The keys of a line (a key range ordered by create revision), as the recipe sees them: the few requests it makes on
/// them, and nothing of the store. Reads that decide may be served by a member's own state or through the leader.
/// </summary>
internal interface IEtcdLine
{
    /// <summary>
    /// Creates <paramref name="key"/> under <paramref name="leaseId"/> only if no key of the range from
    /// <paramref name="prefix"/> exists (one request that writes nothing unless it wins); its create revision, or null.
    /// </summary>
    Task<long?> CreateIfEmptyAsync(ByteString prefix, ByteString key, ByteString value, long leaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates our key unless an earlier try of this same request did, and reads in the same round trip the lowest
    /// <paramref name="window"/> keys of the range and (after a create) the two newest.
    /// </summary>
    Task<LineRead> CreateAndReadAsync(ByteString prefix, ByteString key, ByteString value, long leaseId, int window, bool keysOnly, CancellationToken cancellationToken);

    /// <summary>
    /// The nearest <paramref name="window"/> keys of the range below create revision <paramref name="mine"/>, newest first,
    /// and our own key (null when gone), from a member's own state (<paramref name="serializable"/>) or through the leader.
    /// </summary>
    Task<(IReadOnlyList<KeyValue> Below, KeyValue? Ours, long Revision)> ReadBelowAsync(ByteString prefix, ByteString key, long mine, int window, bool keysOnly, bool serializable, CancellationToken cancellationToken);

    /// <summary>The key as stored now, or null when it is gone.</summary>
    Task<KeyValue?> GetAsync(ByteString key, CancellationToken cancellationToken);

    /// <summary>Replaces the value of <paramref name="key"/> only while its create revision is <paramref name="createRevision"/>; false when it is not (gone, or made again).</summary>
    Task<bool> ReplaceAsync(ByteString key, long createRevision, ByteString value, long leaseId, CancellationToken cancellationToken);

    /// <summary>Deletes one key (ours).</summary>
    Task DeleteAsync(ByteString key, CancellationToken cancellationToken);

    /// <summary>Watches one key from <paramref name="fromRevision"/> (0: from now) for its deletion.</summary>
    KeyWatch Watch(ByteString key, long fromRevision);

    /// <summary>Watches every key under <paramref name="prefix"/> from <paramref name="fromRevision"/> (0: from now): it fires on the first deletion of any of them.</summary>
    KeyWatch WatchRange(ByteString prefix, long fromRevision);

    /// <summary>Ends a watch.</summary>
    void Cancel(KeyWatch watch);
}

/// <summary>What <see cref="IEtcdLine.CreateAndReadAsync"/> read: our key's create revision, the lowest keys, and (only when this request created our key) the two newest.</summary>
internal readonly record struct LineRead(long Mine, IReadOnlyList<KeyValue> Lowest, IReadOnlyList<KeyValue>? Newest, long Revision);

/// <summary>
/// What a line recipe genuinely needs from the store that runs it: the session (a new one after ours was lost), the
/// clock and log, and the set of holds it releases on dispose.
/// </summary>
internal interface IEtcdLineHost
{
    TimeProvider Time { get; }

    /// <summary>How often a waiter reads its line again whatever its watches say (<see cref="PredecessorWait.RecheckInterval"/> unless a test changed it).</summary>
    TimeSpan RecheckInterval { get; }

    ILogger Logger { get; }

    /// <summary>True once the store was disposed (a hold stops retrying its delete).</summary>
    bool IsDisposed { get; }

    /// <summary>The live session, starting a new one (a new lease) when there is none or the last was lost.</summary>
    ValueTask<EtcdSession> SessionAsync(CancellationToken cancellationToken);

    /// <summary>Keeps a new hold, to release it if the store is disposed first; a hold granted after disposal is given back at once.</summary>
    ValueTask<StoreLease> TrackAsync(EtcdHold hold);
}
