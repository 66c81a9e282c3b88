using Padlock.Stores;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// What makes one primitive's acquisition differ from another's on the shared line recipe: the decision policy, the
/// name prefix of our entry (GUID first, so it is found after a create in doubt), and a check of the whole line run
/// before each decision (it throws to refuse, and the acquisition then deletes our entry).
/// </summary>
internal sealed record LineRules(LinePolicy Policy, string EntryPrefix, Action<List<string>>? CheckLine)
{
    /// <summary>The exclusive lock: the first entry holds.</summary>
    public static LineRules Exclusive() => new(LinePolicy.Exclusive, LockNodeNames.EntryPrefix(Guid.NewGuid()), null);
}
