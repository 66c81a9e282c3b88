namespace Padlock.Stores;

/// <summary>Builds a store from a URI. Each store package has one, registered with <see cref="LockProvider.RegisterStore"/>.</summary>
public interface ILockStoreFactory
{
    /// <summary>The URI schemes this factory understands, lower case, without "://".</summary>
    IReadOnlyList<string> Schemes { get; }

    /// <summary>
    /// Builds the store. Throws <see cref="ArgumentException"/> naming the bad part of the URI. Must not touch the
    /// network: stores connect on first use, and <c>AddPadlock</c> checks a URI at registration by building its store
    /// and disposing it at once.
    /// </summary>
    ILockStore Create(StoreUri uri, StoreContext context);

    /// <summary>
    /// The store's identity (see <see cref="StoreIdentity"/>): equal for every spelling of a URI that reaches the same
    /// key space. Sharded providers place names by it. The default keeps the endpoints (ports as written) and the path
    /// without surrounding slashes, and drops every option; a store whose options change the key space, or that has a
    /// default port, overrides it.
    /// </summary>
    string GetIdentity(StoreUri uri) => StoreIdentity.Canonical(uri.Scheme, uri.Endpoints, 0, uri.Path.Trim('/'));
}
