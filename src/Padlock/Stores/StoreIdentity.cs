using System.Net;
using System.Text;

namespace Padlock.Stores;

/// <summary>
/// The canonical text of a store's identity: what decides which store a sharded provider sends a name to. Two URIs
/// that reach the same key space must give the same identity however they are spelt (host case, endpoint order,
/// a default port written or left out, trailing slashes, options that do not change where keys live), or two
/// processes would place one name on two stores and both be granted it.
/// </summary>
/// <remarks>
/// Host names are compared as text: <c>localhost</c> and <c>127.0.0.1</c> are different identities, since resolving
/// names would make placement depend on DNS. Where machines reach one store under different names, name the shards
/// explicitly (<see cref="LockProvider.CreateSharded(IReadOnlyDictionary{string, string}, StoreContext?)"/>).
/// </remarks>
public static class StoreIdentity
{
    /// <summary>
    /// <c>scheme://host:port,host:port/path?key=value</c> with hosts in lower case, endpoints without repeats and in
    /// ordinal order, a missing port replaced by <paramref name="defaultPort"/>, and only the options that change the
    /// key space (<paramref name="keySpace"/>), sorted by key.
    /// </summary>
    /// <param name="scheme">The URI scheme.</param>
    /// <param name="endpoints">The store's endpoints, in any order.</param>
    /// <param name="defaultPort">The port of an endpoint given without one.</param>
    /// <param name="path">The key space's root as the store interprets it (already normalised by the caller).</param>
    /// <param name="keySpace">Options that change where keys live (a key prefix, a Sentinel service), with their effective values.</param>
    public static string Canonical(string scheme, IEnumerable<DnsEndPoint> endpoints, int defaultPort, string path,
        params (string Key, string Value)[] keySpace)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(endpoints);
        var hosts = endpoints
            .Select(e => FormatHost(e.Host.ToLowerInvariant()) + ":" + (e.Port == 0 ? defaultPort : e.Port))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var text = new StringBuilder(scheme.ToLowerInvariant()).Append("://").AppendJoin(',', hosts);
        if (path.Length > 0) text.Append('/').Append(Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal));
        var first = true;
        foreach (var (key, value) in keySpace.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            text.Append(first ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return text.ToString();
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
}
