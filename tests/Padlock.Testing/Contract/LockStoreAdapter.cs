namespace Padlock.Testing.Contract;

/// <summary>
/// What the contract suite needs from a store: fresh providers (each one a separate client of the store, as two
/// machines would be), a way to make a hold be lost, and the store's URI for a second OS process.
/// </summary>
public abstract class LockStoreAdapter
{
    /// <summary>A store URI another process can use to reach the same store, or null when it cannot (mem://).</summary>
    public abstract string? CrossProcessUri { get; }

    /// <summary>A new provider: a separate client with its own connections and sessions.</summary>
    public abstract ILockProvider CreateProvider();

    /// <summary>
    /// A provider that owns its store, as a real application's does, so that disposing it closes the store. Defaults to
    /// <see cref="CreateProvider"/>; an adapter whose providers share one store (mem://) overrides it.
    /// </summary>
    public virtual ILockProvider CreateOwningProvider() => CreateProvider();

    /// <summary>Makes <paramref name="handle"/>'s hold be lost the way this store can lose it (key deleted, node deleted, session killed...).</summary>
    public abstract Task MakeLostAsync(ILockProvider provider, ILockHandle handle);

    /// <summary>How long the store may take to notice a loss made by <see cref="MakeLostAsync"/>.</summary>
    public virtual TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether the store serves waiters of different providers first come, first served, as its page in docs/stores
    /// claims. Default false (file:// across stores, redlock://); the contract checks the order when true.
    /// </summary>
    public virtual bool IsFifo => false;

    /// <summary>
    /// Whether the store implements <see cref="Stores.ILockInspector"/> (for <c>padlock status</c>). Default false; the
    /// contract checks the claim either way, and what an inspection tells when true.
    /// </summary>
    public virtual bool CanInspect => false;

    /// <summary>
    /// How many waiters the store keeps in the line of <paramref name="name"/>, read from the store itself (ZooKeeper
    /// child nodes, etcd keys, Redis queue entries), not counting the holder's entry; null when the store keeps no line
    /// that can be counted (the default). The contract uses it as a state probe (a waiter is queued) and to check that
    /// a failed attempt leaves nothing behind. A FIFO store must be able to answer.
    /// </summary>
    public virtual Task<int?> QueuedAsync(string name) => Task.FromResult<int?>(null);
}
