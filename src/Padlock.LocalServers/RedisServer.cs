namespace Padlock.LocalServers;

/// <summary>
/// A standalone redis-server on a free loopback port with its own data directory, for tests, benchmarks and
/// <c>padlock servers</c>. Persistence is off unless asked for (tests of restarts want to choose).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private RedisServer(int port, ServerProcess process)
    {
        Port = port;
        Process = process;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port".</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The process, to stop, restart, kill or pause it in failure tests.</summary>
    public ServerProcess Process { get; }

    /// <summary>Starts a server and waits until it answers PING.</summary>
    /// <param name="appendOnly">Turn on the append-only file with fsync on every write, so data survives a restart.</param>
    /// <param name="extraArgs">More redis-server arguments ("--cluster-enabled", "yes", ...).</param>
    /// <param name="port">A fixed port; default a free one.</param>
    public static async Task<RedisServer> StartAsync(bool appendOnly = false, IEnumerable<string>? extraArgs = null, int? port = null)
    {
        var program = ServerBinaries.Require("redis-server");
        var p = port ?? FreePort.Next();
        var dir = ServerProcess.NewDataDirectory("redis");
        string[] args =
        [
            "--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no",
            "--dir", dir, "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no",
            .. extraArgs ?? [],
        ];
        var process = new ServerProcess($"redis 127.0.0.1:{p}", program, args, dir, ct => RedisProbe.PongAsync(p, ct));
        try
        {
            await process.StartAsync();
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new RedisServer(p, process);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
