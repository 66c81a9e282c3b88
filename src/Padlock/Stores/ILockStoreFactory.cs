namespace Padlock.Stores;

/// <summary>Builds a store from a URI. Each store package has one, registered with <see cref="LockProvider.RegisterStore"/>.</summary>
public interface ILockStoreFactory
{
    /// <summary>The URI schemes this factory understands, lower case, without "://".</summary>
    IReadOnlyList<string> Schemes { get; }

    /// <summary>Builds the store. Throws <see cref="ArgumentException"/> naming the bad part of the URI.</summary>
    ILockStore Create(StoreUri uri, StoreContext context);
}
