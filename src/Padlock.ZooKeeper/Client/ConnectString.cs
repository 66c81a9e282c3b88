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
        var slash = text.IndexOf('/');
        var hosts = slash < 0 ? text : text[..slash];
        string? chroot = null;
        if (slash >= 0 && text.Length - slash > 1)
        {
            chroot = text[slash..];
            ZkPaths.Validate(chroot, paramName: nameof(text));
        }
        var servers = new List<DnsEndPoint>();
        foreach (var raw in hosts.Split(','))
        {
            var part = raw.Trim();
            var colon = part.LastIndexOf(':');
            var host = colon < 0 ? part : part[..colon];
            var port = DefaultPort;
            if (host.Length == 0 || (colon >= 0 && (!int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)))
                throw new ArgumentException($"'{part}' in connect string '{text}' is not host:port (port 1 to 65535).", nameof(text));
            servers.Add(new DnsEndPoint(host, port));
        }
        return new ConnectString(servers, chroot);
    }

    public override string ToString() => string.Join(",", Servers.Select(s => $"{s.Host}:{s.Port}")) + Chroot;
}
