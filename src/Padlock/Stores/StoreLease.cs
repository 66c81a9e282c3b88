namespace Padlock.Stores;

/// <summary>
/// A store's record of one hold. The core wraps it in the handle users see and guarantees that
/// <see cref="ReleaseAsync"/> is called at most once.
/// </summary>
public abstract class StoreLease
{
    /// <summary>The fencing token the store assigned to this hold.</summary>
    public abstract long FencingToken { get; }

    /// <summary>Cancelled when the store can no longer guarantee the hold.</summary>
    public abstract CancellationToken LostToken { get; }

    /// <summary>
    /// Ends the hold. Must never remove another holder's lock (compare the owner before deleting), and must
    /// stop any renewal. Called once; after a loss it is still called and must then be harmless.
    /// </summary>
    public abstract ValueTask ReleaseAsync();
}
