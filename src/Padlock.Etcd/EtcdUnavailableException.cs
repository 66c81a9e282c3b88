using Padlock.Stores;

namespace Padlock.Etcd;

/// <summary>
/// No etcd member answered within the connect timeout. A <see cref="LockStoreUnavailableException"/> (and so an
/// <see cref="IOException"/>), the type every store uses for "cannot reach the store"; the message names every
/// endpoint tried and the last error, which is the inner exception.
/// </summary>
public sealed class EtcdUnavailableException : LockStoreUnavailableException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="endpoints">The endpoints tried, "host:port" each.</param>
    /// <param name="waited">How long they were tried (the connect timeout).</param>
    /// <param name="lastError">The last member's error, if any.</param>
    public EtcdUnavailableException(IReadOnlyList<string> endpoints, TimeSpan waited, Exception? lastError)
        : this(endpoints, waited, lastError, hint: null)
    {
    }

    /// <summary>Creates the exception with a hint of what to change (a plain-text client on a TLS port, say).</summary>
    /// <param name="endpoints">The endpoints tried, "host:port" each.</param>
    /// <param name="waited">How long they were tried (the connect timeout).</param>
    /// <param name="lastError">The last member's error, if any.</param>
    /// <param name="hint">What the caller may need to change, put before the last error; null for none.</param>
    public EtcdUnavailableException(IReadOnlyList<string> endpoints, TimeSpan waited, Exception? lastError, string? hint)
        : base("etcd", endpoints,
            $"No etcd member answered within {Durations.Format(waited)}; tried {string.Join(", ", endpoints)}." +
            (hint is null ? "" : " " + hint) +
            (lastError is null ? "" : $" Last error: {lastError.Message}"), lastError)
    {
    }
}
