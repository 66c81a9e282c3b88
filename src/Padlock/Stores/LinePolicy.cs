namespace Padlock.Stores;

/// <summary>
/// The decision of a line recipe (ZooKeeper sequential nodes, etcd revision-ordered keys), apart from its mechanics:
/// given our place in the line (0 = oldest entry), do we hold now, and if not, which entry do we watch before looking
/// again. The exclusive lock is <see cref="Exclusive"/>; a counting semaphore is <see cref="Semaphore"/>.
/// </summary>
public sealed class LinePolicy
{
    private LinePolicy(int permits) => Permits = permits;

    /// <summary>One holder: the oldest entry holds, every other watches the entry just below its own.</summary>
    public static LinePolicy Exclusive { get; } = new(1);

    /// <summary>
    /// <paramref name="maxCount"/> holders: an entry holds while fewer than <paramref name="maxCount"/> entries are
    /// below it; otherwise it watches the entry <paramref name="maxCount"/> places below its own (Curator's first
    /// semaphore recipe). Grants therefore go in line order.
    /// </summary>
    /// <param name="maxCount">1 to <see cref="SemaphoreLimits.MaxCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is outside 1 to <see cref="SemaphoreLimits.MaxCount"/>.</exception>
    public static LinePolicy Semaphore(int maxCount)
    {
        if (maxCount is < 1 or > SemaphoreLimits.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be from 1 to {SemaphoreLimits.MaxCount}.");
        return maxCount == 1 ? Exclusive : new LinePolicy(maxCount);
    }

    /// <summary>How many entries may hold at once.</summary>
    public int Permits { get; }

    /// <summary>The decision for the entry at <paramref name="myIndex"/> (0-based, in line order).</summary>
    /// <returns>Holds, or the index (below ours) of the entry to watch.</returns>
    public LineDecision Decide(int myIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(myIndex);
        return myIndex < Permits ? new LineDecision(true, -1) : new LineDecision(false, myIndex - Permits);
    }

    /// <summary>True when an entry added behind <paramref name="lineLength"/> entries would hold at once.</summary>
    public bool WouldHoldBehind(int lineLength) => lineLength < Permits;
}

/// <summary>What <see cref="LinePolicy.Decide"/> says: hold now, or watch the entry at <see cref="WatchIndex"/> (-1 when holding).</summary>
/// <param name="Holds">True: the entry holds now.</param>
/// <param name="WatchIndex">The index of the entry to watch, below ours; -1 when <paramref name="Holds"/>.</param>
public readonly record struct LineDecision(bool Holds, int WatchIndex);
