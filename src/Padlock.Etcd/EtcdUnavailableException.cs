namespace Padlock.Etcd;

/// <summary>
/// No etcd member answered within the connect timeout. Derives from <see cref="IOException"/>, which callers of
/// network code already catch; the message names every endpoint tried and the last error.
/// </summary>
public sealed class EtcdUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public EtcdUnavailableException(IReadOnlyList<string> endpoints, TimeSpan waited, Exception? lastError)
        : base($"No etcd member answered within {Durations.Format(waited)}; tried {string.Join(", ", endpoints)}." +
               (lastError is null ? "" : $" Last error: {lastError.Message}"), lastError)
    {
        Endpoints = endpoints;
    }

    /// <summary>The endpoints that were tried.</summary>
    public IReadOnlyList<string> Endpoints { get; }
}
