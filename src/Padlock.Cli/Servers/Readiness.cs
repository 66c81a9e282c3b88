using System.Net.Sockets;
using System.Text;

namespace Padlock.Cli.Servers;

/// <summary>Asks each kind of server whether it is ready to serve, in its own protocol.</summary>
internal static class Readiness
{
    /// <summary>Redis answers PING with +PONG.</summary>
    public static Task<bool> RedisAsync(int port, CancellationToken ct) => AskAsync(port, "PING\r\n", r => r.StartsWith("+PONG", StringComparison.Ordinal), ct);

    /// <summary>ZooKeeper's "srvr" reports a Mode once the server (or its quorum) serves.</summary>
    public static Task<bool> ZooKeeperAsync(int port, CancellationToken ct) => AskAsync(port, "srvr", r => r.Contains("Mode:", StringComparison.Ordinal), ct);

    /// <summary>etcd's /health says "true" once the cluster has a leader.</summary>
    public static Task<bool> EtcdAsync(int port, CancellationToken ct)
        => AskAsync(port, "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", r => r.Contains("\"health\":\"true\"", StringComparison.Ordinal), ct);

    private static async Task<bool> AskAsync(int port, string request, Func<string, bool> ok, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
            var buffer = new byte[4096];
            var text = new StringBuilder();
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
                if (ok(text.ToString())) return true;
            }
            return ok(text.ToString());
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
