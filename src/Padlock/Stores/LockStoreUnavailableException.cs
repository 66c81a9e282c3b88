namespace Padlock.Stores;

/// <summary>
/// The store could not be reached: no server answered within the connect (or request) timeout, a connection was lost
/// and not regained in time, or the file store's directory cannot be created or opened. Every store reports "cannot
/// reach the store" as this type (or a type derived from it), with the endpoints in the message, so callers catch one
/// type whatever the store; the store's own exception, when there is one, is the <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/>, which callers of network and file code already catch. Not sealed: it is the
/// base of the family (e.g. <c>EtcdUnavailableException</c>). Errors the store itself returns (a refused password, a
/// ZooKeeper protocol error) are not "unavailable" and keep their own types.
/// </remarks>
public class LockStoreUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="storeKind">The store's URI scheme, e.g. <c>redis</c>.</param>
    /// <param name="endpoints">What was tried: "host:port" of each server, or the file store's directory.</param>
    /// <param name="message">What failed; should name the endpoints, and say which timeout ran out if one did.</param>
    /// <param name="innerException">The store's own error, if any.</param>
    public LockStoreUnavailableException(string storeKind, IReadOnlyList<string> endpoints, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(storeKind);
        ArgumentNullException.ThrowIfNull(endpoints);
        StoreKind = storeKind;
        Endpoints = endpoints;
    }

    /// <summary>The store's URI scheme, e.g. <c>redis</c>, <c>zk</c>, <c>file</c>.</summary>
    public string StoreKind { get; }

    /// <summary>The endpoints that were tried ("host:port" each), or the file store's directory.</summary>
    public IReadOnlyList<string> Endpoints { get; }
}
