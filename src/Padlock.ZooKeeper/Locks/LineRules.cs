using Padlock.Stores;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// What makes one primitive's acquisition differ from another's on the shared line recipe (<see cref="LockAcquisition"/>):
/// the decision policy, the name prefix of our entry (GUID first, so it is found after a create in doubt), and a check of
/// the whole line run before each decision (it throws to refuse, and the acquisition then deletes our entry). Each
/// primitive is one of the factories below: a configuration of the one recipe, not a copy of it.
/// </summary>
internal sealed record LineRules(LinePolicy Policy, string EntryPrefix, Action<List<string>>? CheckLine)
{
    /// <summary>The exclusive lock (and an election's campaign): the first entry holds, every other watches the entry just below its own.</summary>
    public static LineRules Exclusive() => new(LinePolicy.Exclusive, LockNodeNames.EntryPrefix(Guid.NewGuid()), null);

    /// <summary>
    /// The semaphore <paramref name="name"/> of <paramref name="maxCount"/>: an entry holds while fewer than maxCount
    /// entries are before it, else it watches the maxCount entries nearest before it (past <see cref="LinePolicy.WatchCap"/>,
    /// the line's children). Entry names carry their creator's maxCount; a line with another is refused.
    /// </summary>
    public static LineRules Semaphore(string name, int maxCount)
    {
        var policy = LinePolicy.Semaphore(maxCount);
        return new(policy, LockNodeNames.SemaphoreEntryPrefix(Guid.NewGuid(), maxCount), line =>
        {
            foreach (var entry in line)
            {
                if (LockNodeNames.MaxCountOf(entry) is { } other && other != maxCount) throw new SemaphoreCountMismatchException(name, maxCount, other);
            }
        });
    }

    /// <summary>
    /// A reader-writer entry of <paramref name="mode"/> (ZooKeeper's shared-lock recipe, as Curator builds it): its name
    /// says read or write; a writer holds when first, a reader when no write entry is below it.
    /// </summary>
    public static LineRules ReaderWriter(LockMode mode)
        => new(LinePolicy.ReaderWriter(mode), LockNodeNames.ReaderWriterEntryPrefix(Guid.NewGuid(), mode), null);
}
