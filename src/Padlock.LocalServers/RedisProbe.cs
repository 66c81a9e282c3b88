using System.Net.Sockets;
using System.Text;

namespace Padlock.LocalServers;

/// <summary>Minimal Redis requests for readiness checks, so the launchers need no Redis client library.</summary>
public static class RedisProbe
{
    /// <summary>Sends one inline command to 127.0.0.1:<paramref name="port"/> and returns the first reply chunk as text.</summary>
    public static async Task<string> SendAsync(int port, string inlineCommand, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(inlineCommand + "\r\n"), ct);
        var buffer = new byte[8192];
        var read = await stream.ReadAsync(buffer, ct);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>True once the server answers PING with PONG (not LOADING or an error).</summary>
    public static async Task<bool> PongAsync(int port, CancellationToken ct)
        => (await SendAsync(port, "PING", ct)).StartsWith("+PONG", StringComparison.Ordinal);
}
