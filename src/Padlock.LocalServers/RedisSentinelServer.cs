using System.Globalization;

namespace Padlock.LocalServers;

/// <summary>A Redis Sentinel (<c>redis-server sentinel.conf --sentinel</c>) watching one master under a service name.</summary>
public sealed class RedisSentinelServer : IAsyncDisposable
{
    private RedisSentinelServer(int port, ServerProcess process)
    {
        Port = port;
        Process = process;
    }

    /// <summary>The Sentinel's port (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port".</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The process.</summary>
    public ServerProcess Process { get; }

    /// <summary>Starts a Sentinel monitoring <paramref name="master"/> as <paramref name="serviceName"/> (quorum 1).</summary>
    /// <param name="master">The master to watch.</param>
    /// <param name="serviceName">The service name clients ask for.</param>
    /// <param name="downAfter">How long the master may be silent before a failover (default 5 s).</param>
    public static async Task<RedisSentinelServer> StartAsync(RedisServer master, string serviceName = "mymaster", TimeSpan? downAfter = null)
    {
        var down = (int)(downAfter ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
        var program = ServerBinaries.Require("redis-server");
        var port = FreePort.Next();
        var dir = ServerProcess.NewDataDirectory("sentinel");
        // Sentinel rewrites its configuration file, so it lives in the Sentinel's own directory.
        var conf = Path.Combine(dir, "sentinel.conf");
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $"""
            port {port}
            bind 127.0.0.1
            protected-mode no
            dir {dir}
            sentinel monitor {serviceName} 127.0.0.1 {master.Port} 1
            sentinel down-after-milliseconds {serviceName} {down}
            sentinel failover-timeout {serviceName} {Math.Max(2000, down * 4)}

            """));
        var process = new ServerProcess($"redis-sentinel 127.0.0.1:{port}", program, [conf, "--sentinel"], dir, ct => RedisProbe.PongAsync(port, ct));
        try
        {
            await process.StartAsync();
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new RedisSentinelServer(port, process);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
