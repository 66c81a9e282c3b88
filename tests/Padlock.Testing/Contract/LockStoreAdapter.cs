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
}
