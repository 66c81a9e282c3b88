using System.Net;
using System.Net.Sockets;

namespace Padlock.LocalServers;

/// <summary>Finds free loopback TCP ports for test servers.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port nothing listens on now and that this process has not handed out before.</summary>
    public static int Next()
    {
        for (var i = 0; i < 100; i++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Handed)
            {
                // Servers often need port+N too (Redis Cluster's bus port is port+10000), so keep room below 55535.
                if (port < 55000 && Handed.Add(port)) return port;
            }
        }
        throw new InvalidOperationException("Could not find a free loopback port.");
    }
}
