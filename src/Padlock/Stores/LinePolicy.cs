namespace Padlock.Stores;

/// <summary>
/// The decision of a line recipe (ZooKeeper sequential nodes, etcd revision-ordered keys), apart from its mechanics:
/// given the entries below ours in the line (older ones), do we hold now, and if not, which entry do we watch before
/// looking again. The exclusive lock is <see cref="Exclusive"/>; a counting semaphore is <see cref="Semaphore"/>; the
/// reader-writer lock is <see cref="ReaderWriter"/>, whose read entries look at the kinds (<see cref="LockMode"/>) of
/// the entries below them.
/// </summary>
public sealed class LinePolicy
{
    private LinePolicy(int permits, bool shared)
    {
        Permits = permits;
        IsShared = shared;
    }

    /// <summary>One holder: the oldest entry holds, every other watches the entry just below its own.</summary>
    public static LinePolicy Exclusive { get; } = new(1, false);

    /// <summary>
    /// A reader's entry in a reader-writer line (Curator's and the ZooKeeper recipe's shared lock): it holds when no
    /// <see cref="LockMode.Write"/> entry is below it, whatever readers are, and otherwise watches the nearest write entry
    /// below it. A queued writer therefore blocks every reader behind it, and readers ahead of it still share.
    /// </summary>
    public static LinePolicy Shared { get; } = new(int.MaxValue, true);

    /// <summary>
    /// <paramref name="maxCount"/> holders: an entry holds while fewer than <paramref name="maxCount"/> entries are
    /// below it; otherwise it must look again whenever any of the <paramref name="maxCount"/> entries nearest below its
    /// own goes, since a holder may release out of line order (Curator's first semaphore recipe watched only the entry
    /// <paramref name="maxCount"/> places below, which left such a permit idle). Grants go in line order.
    /// </summary>
    /// <remarks>
    /// New entries only join behind ours, so the number below ours can drop under <paramref name="maxCount"/> only when
    /// one of the <paramref name="maxCount"/> nearest goes: watching those is enough. Up to <see cref="WatchCap"/> of
    /// them are watched one by one; above it, the whole line (one watch that wakes on any change).
    /// </remarks>
    /// <param name="maxCount">1 to <see cref="SemaphoreLimits.MaxCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is outside 1 to <see cref="SemaphoreLimits.MaxCount"/>.</exception>
    public static LinePolicy Semaphore(int maxCount)
    {
        if (maxCount is < 1 or > SemaphoreLimits.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be from 1 to {SemaphoreLimits.MaxCount}.");
        return maxCount == 1 ? Exclusive : new LinePolicy(maxCount, false);
    }

    /// <summary>
    /// The policy of an entry of a reader-writer line: <see cref="Shared"/> for <see cref="LockMode.Read"/>,
    /// <see cref="Exclusive"/> for <see cref="LockMode.Write"/> (a writer holds when first, whatever is behind it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined <see cref="LockMode"/>.</exception>
    public static LinePolicy ReaderWriter(LockMode mode) => mode switch
    {
        LockMode.Read => Shared,
        LockMode.Write => Exclusive,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be LockMode.Read or LockMode.Write."),
    };

    /// <summary>
    /// The most entries a waiter watches one by one (the semaphore's nearest <see cref="Permits"/>); a semaphore of more
    /// permits watches its whole line instead, so a waiter's watches stay bounded whatever maxCount is.
    /// </summary>
    internal const int WatchCap = 16;

    /// <summary>How many entries may hold at once (<see cref="int.MaxValue"/> for <see cref="Shared"/>: no bound of its own).</summary>
    public int Permits { get; }

    /// <summary>True when the decision depends on the kinds of the entries below ours, not only on how many there are (<see cref="Shared"/>).</summary>
    public bool IsShared { get; }

    /// <summary>The decision for the entry at <paramref name="myIndex"/> (0-based, in line order), for a policy that counts (not <see cref="Shared"/>).</summary>
    /// <returns>
    /// Holds, or the index (below ours) of the lowest entry to watch: for the lock, the entry just below ours; for a
    /// semaphore, the entry <see cref="Permits"/> places below, the lowest of the entries it watches.
    /// </returns>
    /// <exception cref="InvalidOperationException">The policy is <see cref="Shared"/>, which needs the kinds of the entries: use <see cref="Decide(IReadOnlyList{LockMode})"/>.</exception>
    public LineDecision Decide(int myIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(myIndex);
        if (IsShared) throw new InvalidOperationException("A read entry's decision depends on the kinds of the entries below it: call Decide(IReadOnlyList<LockMode>).");
        if (myIndex < Permits) return new LineDecision(true, -1);
        // A semaphore: every entry from WatchIndex up to ours (the nearest Permits), or, past the cap, the whole line.
        return Permits <= WatchCap
            ? new LineDecision(false, myIndex - Permits) { WatchCount = Permits }
            : new LineDecision(false, myIndex - Permits) { WatchCount = 0, WatchesLine = true };
    }

    /// <summary>
    /// The decision for our entry, given the kinds of the entries below it, oldest first. A counting policy needs only
    /// their number, so <paramref name="below"/> may be the nearest <see cref="Permits"/> of them; <see cref="Shared"/>
    /// needs the nearest write entry below ours if there is one (read entries may be left out).
    /// </summary>
    /// <returns>Holds, or the index in <paramref name="below"/> of the entry to watch.</returns>
    public LineDecision Decide(IReadOnlyList<LockMode> below)
    {
        ArgumentNullException.ThrowIfNull(below);
        if (!IsShared) return Decide(below.Count);
        for (var i = below.Count - 1; i >= 0; i--)
        {
            if (below[i] == LockMode.Write) return new LineDecision(false, i);
        }
        return new LineDecision(true, -1);
    }

    /// <summary>True when an entry added behind <paramref name="lineLength"/> entries would hold at once (a counting policy).</summary>
    /// <exception cref="InvalidOperationException">The policy is <see cref="Shared"/>: use <see cref="WouldHoldBehind(IReadOnlyList{LockMode})"/>.</exception>
    public bool WouldHoldBehind(int lineLength)
        => IsShared
            ? throw new InvalidOperationException("A read entry's decision depends on the kinds of the entries: call WouldHoldBehind(IReadOnlyList<LockMode>).")
            : lineLength < Permits;

    /// <summary>True when an entry added behind a line of the given kinds (oldest first) would hold at once.</summary>
    public bool WouldHoldBehind(IReadOnlyList<LockMode> line) => Decide(line).Holds;
}

/// <summary>
/// What <see cref="LinePolicy.Decide(int)"/> says: hold now, or watch the entry at <see cref="WatchIndex"/> (-1 when
/// holding) and, for a semaphore, the entries above it up to ours.
/// </summary>
/// <param name="Holds">True: the entry holds now.</param>
/// <param name="WatchIndex">The index of the (lowest) entry to watch, below ours; -1 when <paramref name="Holds"/>.</param>
public readonly record struct LineDecision(bool Holds, int WatchIndex)
{
    /// <summary>
    /// How many entries to watch, from <see cref="WatchIndex"/> upward (1 for the lock and a reader; a semaphore's
    /// permits, up to <see cref="LinePolicy.WatchCap"/>); 0 when holding or when <see cref="WatchesLine"/>.
    /// </summary>
    internal int WatchCount { get; init; } = Holds ? 0 : 1;

    /// <summary>
    /// True: watch the whole line and look again on any change (a semaphore of more than <see cref="LinePolicy.WatchCap"/>
    /// permits), rather than the entries one by one.
    /// </summary>
    internal bool WatchesLine { get; init; }
}
