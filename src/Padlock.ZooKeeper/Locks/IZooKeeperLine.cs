using Microsoft.Extensions.Logging;
using Padlock.Stores;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// The entries of one line (the children of one parent node), as the recipe sees them: what it can do to them through a
/// session, and nothing of the store. Entries are named by their leaf (the name under the parent).
/// </summary>
internal interface IZooKeeperLine
{
    /// <summary>The parent node (for log lines).</summary>
    string Parent { get; }

    /// <summary>
    /// Creates our ephemeral sequential entry named <paramref name="prefix"/> plus the sequence, with <paramref name="data"/>,
    /// and lists the line in the same round trip (the listing already shows our entry). Null when the parent is missing
    /// (then nothing was created: <see cref="EnsureParentAsync"/>, and try again). A failure leaves the outcome of the
    /// create unknown.
    /// </summary>
    Task<(string Leaf, long Czxid, List<string> Children)?> CreateAndListAsync(LockSession session, string prefix, byte[] data, CancellationToken cancellationToken);

    /// <summary>Creates the parent (and its ancestors) when missing, with the store's ACL.</summary>
    Task EnsureParentAsync(LockSession session, CancellationToken cancellationToken);

    /// <summary>The children of the parent, unordered (none when the parent is missing).</summary>
    Task<List<string>> ListAsync(LockSession session, CancellationToken cancellationToken);

    /// <summary>Lets the server we talk to catch up with the leader on this line (before a listing that must show a create in doubt).</summary>
    Task SyncAsync(LockSession session, CancellationToken cancellationToken);

    /// <summary>The entry's stat, or null when it is gone.</summary>
    Task<Stat?> StatAsync(LockSession session, string leaf, CancellationToken cancellationToken);

    /// <summary>Arms a one-shot watch that calls <paramref name="changed"/> when the entry changes or goes; false when it is already gone (no watch left behind).</summary>
    Task<bool> WatchAsync(LockSession session, string leaf, Action changed, CancellationToken cancellationToken);

    /// <summary>
    /// The children of the parent, unordered, arming in the same request a one-shot watch that calls
    /// <paramref name="changed"/> when an entry joins or goes (none when the parent is missing; then nothing is armed).
    /// </summary>
    Task<List<string>> WatchChildrenAsync(LockSession session, Action changed, CancellationToken cancellationToken);

    /// <summary>Deletes one of our entries; never holds up the caller through a disconnect (see <see cref="EntryDeleter"/>).</summary>
    Task DeleteAsync(LockSession session, string leaf);

    /// <summary>In the background, once reconnected: deletes whatever entry a create in doubt named <paramref name="prefix"/> made.</summary>
    void DeleteInDoubt(LockSession session, string prefix);

    /// <summary>The full path of an entry (a hold keeps it).</summary>
    string PathOf(string leaf);
}

/// <summary>
/// What a line recipe genuinely needs from the store that runs it: its session (a new one after ours expired), its clock
/// and log, the register of entries it owns (so an orphan of our own session can be told from a live one), and the
/// set of holds it releases on dispose.
/// </summary>
internal interface IZooKeeperLineHost
{
    TimeProvider Time { get; }

    /// <summary>How often a waiter looks at the line even without a watch event (<see cref="LockAcquisition.RecheckInterval"/> unless a test changed it).</summary>
    TimeSpan RecheckInterval { get; }

    ILogger Logger { get; }

    /// <summary>The store's session, connecting (or replacing an expired one) when needed.</summary>
    Task<LockSession> GetSessionAsync(CancellationToken cancellationToken);

    /// <summary>Registers an acquisition under way by its entries' name prefix; disposing the result ends it.</summary>
    IDisposable BeginAcquisition(string prefix);

    /// <summary>True when an acquisition under way or a hold of this store owns the entry <paramref name="leaf"/>.</summary>
    bool IsLiveEntry(string leaf);

    /// <summary>Keeps a new hold, to release it if the store is disposed first; one granted after disposal is given back at once.</summary>
    ValueTask<StoreLease> AdmitAsync(ZooKeeperLease lease);
}
