using System.Globalization;
using System.Net;

namespace Padlock.ZooKeeper.Client;

/// <summary>A parsed connect string <c>host:port[,host:port...][/chroot]</c>.</summary>
internal sealed record ConnectString(IReadOnlyList<DnsEndPoint> Servers, string? Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectString Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return TryParse(text, out var parsed, out var problem) ? parsed : throw new ArgumentException(problem, nameof(text));
    }

    /// <summary>Parses <paramref name="text"/>, or says what is wrong with it.</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConnectString? parsed, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        parsed = null;
        var slash = text.IndexOf('/');
        var hosts = slash < 0 ? text : text[..slash];
        string? chroot = null;
        if (slash >= 0 && text.Length - slash > 1)
        {
            chroot = text[slash..];
            problem = ZkPaths.Problem(chroot);
            if (problem is not null) return false;
        }
        var servers = new List<DnsEndPoint>();
        foreach (var raw in hosts.Split(','))
        {
            var part = raw.Trim();
            var colon = part.LastIndexOf(':');
            var host = colon < 0 ? part : part[..colon];
            var port = DefaultPort;
            if (host.Length == 0 || (colon >= 0 && (!int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)))
            {
                problem = $"'{part}' in connect string '{text}' is not host:port (port 1 to 65535).";
                return false;
            }
            servers.Add(new DnsEndPoint(host, port));
        }
        parsed = new ConnectString(servers, chroot);
        problem = null;
        return true;
    }

    public override string ToString() => string.Join(",", Servers.Select(s => $"{s.Host}:{s.Port}")) + Chroot;
}
