using System.Globalization;
using System.Net;

namespace Padlock.Stores;

/// <summary>
/// A parsed store URI: <c>scheme://[user[:password]@]host:port[,host:port...][/path][?key=value&amp;...]</c>.
/// Unlike <see cref="Uri"/> it accepts a comma-separated list of endpoints, as cluster stores need.
/// The typed getters throw <see cref="ArgumentException"/> naming the key, the value and what is allowed. Messages and
/// <see cref="ToString"/> show <see cref="Display"/>, where every secret (the user info's password, a <c>password</c>
/// option) is replaced by <c>***</c>, so a URI with credentials can be logged and reported.
/// </summary>
public sealed class StoreUri
{
    private readonly Dictionary<string, string> _query;

    private StoreUri(string original, string scheme, string remainder, IReadOnlyList<DnsEndPoint> endpoints, string path,
        Dictionary<string, string> query, string? userName, string? password)
    {
        Original = original;
        UserName = userName;
        Password = password;
        Display = Redact(original, password is not null);
        Scheme = scheme;
        Remainder = remainder;
        Endpoints = endpoints;
        Path = path;
        _query = query;
    }

    /// <summary>The URI as given. It may hold secrets: show <see cref="Display"/> instead.</summary>
    public string Original { get; }

    /// <summary>The URI with its secrets (a password in the user info, <c>password</c> options) replaced by <c>***</c>.</summary>
    public string Display { get; }

    /// <summary>The decoded user name of <c>user[:password]@</c> before the hosts, or null.</summary>
    public string? UserName { get; }

    /// <summary>The decoded password of <c>user:password@</c> before the hosts, or null.</summary>
    public string? Password { get; }

    /// <summary>The scheme, lower case.</summary>
    public string Scheme { get; }

    /// <summary>Everything between "://" and "?", undecoded; the file store reads its directory from here.</summary>
    public string Remainder { get; }

    /// <summary>The endpoints of the authority part, in order; empty when there is none.</summary>
    public IReadOnlyList<DnsEndPoint> Endpoints { get; }

    /// <summary>The decoded path after the authority, without its leading '/'; empty when absent.</summary>
    public string Path { get; }

    /// <summary>The query keys present, lower case.</summary>
    public IReadOnlyCollection<string> Keys => _query.Keys;

    /// <summary>Parses <paramref name="uri"/>; the scheme must be present.</summary>
    /// <exception cref="ArgumentException">The text is not of the form scheme://...</exception>
    public static StoreUri Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return TryParse(uri, out var parsed, out var problem) ? parsed : throw new ArgumentException(problem, nameof(uri));
    }

    /// <summary>Parses <paramref name="uri"/>, or says what is wrong with it (without throwing, for callers that add to the message).</summary>
    internal static bool TryParse(string uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StoreUri? parsed, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        try
        {
            parsed = ParseCore(uri);
            problem = null;
            return true;
        }
        catch (Malformed ex)
        {
            parsed = null;
            problem = ex.Message;
            return false;
        }
    }

    private static StoreUri ParseCore(string uri)
    {
        var sep = uri.IndexOf("://", StringComparison.Ordinal);
        var shown = Redact(uri, hasUserPassword: true);
        if (sep <= 0)
            throw new Malformed($"'{shown}' is not a store URI: expected scheme://..., e.g. mem://, file:///var/lock/app, redis://localhost:6379.");
        var scheme = uri[..sep].ToLowerInvariant();
        if (!scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            throw new Malformed($"'{shown}' has an invalid scheme '{uri[..sep]}'.");
        var rest = uri[(sep + 3)..];
        var q = rest.IndexOf('?');
        var remainder = q < 0 ? rest : rest[..q];
        var query = ParseQuery(shown, q < 0 ? "" : rest[(q + 1)..]);
        var slash = remainder.IndexOf('/');
        var authority = slash < 0 ? remainder : remainder[..slash];
        string? user = null, password = null;
        // user[:password]@ before the hosts, as in postgres:// and redis:// URIs elsewhere; '@' cannot occur in a host.
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var info = authority[..at];
            authority = authority[(at + 1)..];
            var colon = info.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? info : info[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(info[(colon + 1)..]);
            if (user.Length == 0) user = null;
        }
        var path = slash < 0 ? "" : Uri.UnescapeDataString(remainder[(slash + 1)..]);
        return new StoreUri(uri, scheme, remainder, ParseEndpoints(shown, authority), path, query, user, password);
    }

    /// <summary>Throws when the URI has endpoints but a caller-supplied default port is needed for one without a port.</summary>
    public IReadOnlyList<DnsEndPoint> EndpointsOrDefault(string defaultHost, int defaultPort)
        => Endpoints.Count == 0
            ? [new DnsEndPoint(defaultHost, defaultPort)]
            : Endpoints.Select(e => e.Port == 0 ? new DnsEndPoint(e.Host, defaultPort) : e).ToArray();

    /// <summary>Throws an <see cref="ArgumentException"/> when the query has a key not in <paramref name="allowed"/>.</summary>
    public void EnsureOnlyKeys(params string[] allowed)
    {
        foreach (var key in _query.Keys)
        {
            if (!allowed.Contains(key, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException(
                    $"Unknown option '{key}' in '{Display}'. Options for {Scheme}:// are: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))}.", "uri");
        }
    }

    /// <summary>The raw value of <paramref name="key"/>, or null.</summary>
    public string? GetString(string key) => _query.TryGetValue(key.ToLowerInvariant(), out var v) ? v : null;

    /// <summary>A duration option (see <see cref="Durations"/>) in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public TimeSpan GetDuration(string key, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        var raw = GetString(key);
        if (raw is null) return defaultValue;
        if (!Durations.TryParse(raw, out var value) || value == Timeout.InfiniteTimeSpan)
            throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is not a duration: expected {Durations.AllowedForms}.", "uri");
        if (value < min || value > max)
            throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is out of range: allowed {Durations.Format(min)} to {Durations.Format(max)}.", "uri");
        return value;
    }

    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int GetInt(string key, int defaultValue, int min, int max)
    {
        var raw = GetString(key);
        if (raw is null) return defaultValue;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is not an integer.", "uri");
        if (value < min || value > max)
            throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is out of range: allowed {min} to {max}.", "uri");
        return value;
    }

    /// <summary>A number option (invariant culture, e.g. <c>0.25</c>) in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double GetNumber(string key, double defaultValue, double min, double max)
    {
        var raw = GetString(key);
        if (raw is null) return defaultValue;
        var range = $"{NumberSetting.Format(min)} to {NumberSetting.Format(max)}";
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is not a number: allowed {range}.", "uri");
        if (value < min || value > max)
            throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is out of range: allowed {range}.", "uri");
        return value;
    }

    /// <summary>A boolean option (true/false/1/0/yes/no).</summary>
    public bool GetBool(string key, bool defaultValue)
    {
        var raw = GetString(key);
        if (raw is null) return defaultValue;
        return raw.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new ArgumentException($"Option '{key}={raw}' in '{Display}' is not a boolean: expected true or false.", "uri"),
        };
    }

    /// <summary>The URI with its secrets replaced by <c>***</c> (<see cref="Display"/>).</summary>
    public override string ToString() => Display;

    /// <summary>A URI's text with its secrets replaced by <c>***</c>, for messages about URIs kept as text.</summary>
    internal static string Redact(string uri) => Redact(uri, hasUserPassword: true);

    // Replaces the password of user:password@ and the value of every password=... option with ***.
    private static string Redact(string uri, bool hasUserPassword)
    {
        var sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) return uri;
        var start = sep + 3;
        var end = uri.IndexOfAny(['/', '?'], start);
        if (end < 0) end = uri.Length;
        var text = uri;
        var at = text.LastIndexOf('@', end - 1, end - start);
        if (hasUserPassword && at >= 0 && text.IndexOf(':', start, at - start) is var colon and >= 0)
            text = text[..(colon + 1)] + "***" + text[at..];
        var q = text.IndexOf('?');
        if (q < 0) return text;
        var parts = text[(q + 1)..].Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq > 0 && Uri.UnescapeDataString(parts[i][..eq]).Equals("password", StringComparison.OrdinalIgnoreCase))
                parts[i] = parts[i][..(eq + 1)] + "***";
        }
        return text[..(q + 1)] + string.Join('&', parts);
    }

    private static Dictionary<string, string> ParseQuery(string uri, string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                throw new Malformed($"Malformed option '{part}' in '{uri}': expected key=value.");
            var key = Uri.UnescapeDataString(part[..eq]).ToLowerInvariant();
            if (!result.TryAdd(key, Uri.UnescapeDataString(part[(eq + 1)..])))
                throw new Malformed($"Option '{key}' appears twice in '{uri}'.");
        }
        return result;
    }

    private static DnsEndPoint[] ParseEndpoints(string uri, string authority)
    {
        if (authority.Length == 0) return [];
        var list = new List<DnsEndPoint>();
        foreach (var raw in authority.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
                throw new Malformed($"Empty endpoint in '{uri}': expected host:port[,host:port...].");
            string host;
            string? port = null;
            if (part.StartsWith('['))
            {
                var close = part.IndexOf(']');
                if (close < 0) throw new Malformed($"Unclosed '[' in endpoint '{part}' of '{uri}'.");
                host = part[1..close];
                if (close + 1 < part.Length)
                {
                    if (part[close + 1] != ':') throw new Malformed($"Malformed endpoint '{part}' in '{uri}'.");
                    port = part[(close + 2)..];
                }
            }
            else
            {
                var colon = part.LastIndexOf(':');
                host = colon < 0 ? part : part[..colon];
                port = colon < 0 ? null : part[(colon + 1)..];
            }
            if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '@' or '/' or '?' or '#'))
                throw new Malformed($"Malformed host in endpoint '{part}' of '{uri}'.");
            var portNumber = 0;
            if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
                throw new Malformed($"Invalid port '{port}' in endpoint '{part}' of '{uri}': expected 1 to 65535.");
            list.Add(new DnsEndPoint(host, portNumber));
        }
        return [.. list];
    }

    /// <summary>What is wrong with the text; turned into an <see cref="ArgumentException"/> (or a message) at the edge.</summary>
    private sealed class Malformed(string problem) : Exception(problem);
}
