using Padlock.LocalServers;

namespace Padlock.Cli.Verify;

/// <summary>
/// A server verify started for itself (<c>--local-servers</c>), so it may kill, restart and freeze it. Short leases
/// and sessions keep a run's faults to seconds: Redis lease 1 s, ZooKeeper session 2 s (tick 500 ms), etcd TTL 2 s.
/// </summary>
internal sealed class LocalServer : IAsyncDisposable
{
    /// <summary>The kinds <c>--local-servers</c> accepts, in the order they run.</summary>
    public static readonly string[] Kinds = ["redis", "redis-aof", "zk", "etcd"];

    private readonly IAsyncDisposable _owner;

    private LocalServer(string kind, string uri, ServerProcess process, IAsyncDisposable owner)
    {
        Kind = kind;
        Uri = uri;
        Process = process;
        _owner = owner;
    }

    public string Kind { get; }
    public string Uri { get; }
    public ServerProcess Process { get; }

    public static async Task<LocalServer> StartAsync(string kind)
    {
        switch (kind)
        {
            case "redis":
            case "redis-aof":
                // redis-aof: the append-only file fsynced on every write, so the fencing counter survives a restart.
                var redis = await RedisServer.StartAsync(appendOnly: kind == "redis-aof");
                return new LocalServer(kind, $"redis://{redis.Endpoint}?lease=1s", redis.Process, redis);
            case "zk":
                var zk = await ZooKeeperServer.StartAsync(TimeSpan.FromMilliseconds(500));
                return new LocalServer(kind, $"zk://{zk.ConnectString}?sessiontimeout=2s", zk.Process, zk);
            case "etcd":
                var etcd = await EtcdServer.StartAsync();
                return new LocalServer(kind, $"etcd://{etcd.Endpoint}?ttl=2s", etcd.Process, etcd);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"unknown local server; expected one of {string.Join(", ", Kinds)}");
        }
    }

    /// <summary>SIGKILL, then start again on the same port with the same data directory.</summary>
    public async Task RestartAsync()
    {
        await Process.KillAsync();
        await Process.StartAsync(TimeSpan.FromSeconds(60));
    }

    public void Freeze()
    {
        if (Process.ProcessId is { } pid) Posix.Pause(pid);
    }

    public void Thaw()
    {
        if (Process.ProcessId is { } pid) Posix.Resume(pid);
    }

    public ValueTask DisposeAsync()
    {
        Thaw();
        return _owner.DisposeAsync();
    }
}
